import { contentMd5, signRequest, stringToSign, verifyRequest } from '../../lib/tablestore/signing';
import { TableStore } from './helpers';

const credentials = { accessKeyId: 'ak-id', accessKeySecret: 'ak-secret' };
const body = Buffer.from('request body');
const date = new Date('2024-05-01T10:00:00.000Z');

describe('request signing', () => {
  test('matches the signature the official SDK computes for the same request', () => {
    const headers = signRequest({ path: '/ListStream', body, instanceName: 'inst', credentials, date });
    const sdkRequest = { path: '/ListStream', method: 'POST', headers: { ...headers, Host: 'example.com', 'Content-Length': body.length } };
    delete (sdkRequest.headers as Record<string, unknown>)['x-ots-signature'];
    const signer = new TableStore.Signer(sdkRequest);
    signer.addAuthorization({ accessKeyId: 'ak-id', secretAccessKey: 'ak-secret' }, date);
    expect(headers['x-ots-signature']).toBe(sdkRequest.headers['x-ots-signature' as keyof typeof sdkRequest.headers]);
    expect(headers).toMatchObject({ 'x-ots-apiversion': '2015-12-31', 'x-ots-instancename': 'inst', 'x-ots-contentmd5': contentMd5(body) });
  });

  test('string to sign: path, method, empty query, sorted lower-case x-ots headers', () => {
    expect(stringToSign('/GetRow', 'POST', { 'X-OTS-b': '2', 'x-ots-a': '1', host: 'h', 'x-ots-signature': 'zzz' })).toBe('/GetRow\nPOST\n\nx-ots-a:1\nx-ots-b:2\n');
  });

  test('STS token is signed along', () => {
    const withToken = signRequest({ path: '/ListStream', body, instanceName: 'inst', credentials: { ...credentials, securityToken: 'sts' }, date });
    const without = signRequest({ path: '/ListStream', body, instanceName: 'inst', credentials, date });
    expect(withToken['x-ots-ststoken']).toBe('sts');
    expect(withToken['x-ots-signature']).not.toBe(without['x-ots-signature']);
  });
});

describe('request verification', () => {
  const signed = signRequest({ path: '/ListStream', body, instanceName: 'inst', credentials, date });
  const base = {
    path: '/ListStream',
    method: 'POST',
    headers: signed,
    body,
    instanceName: 'inst',
    secretFor: (id: string) => (id === 'ak-id' ? 'ak-secret' : undefined),
  };

  test('accepts a correctly signed request', () => {
    expect(verifyRequest(base)).toEqual({ ok: true, accessKeyId: 'ak-id' });
  });

  test.each([
    ['wrong secret', { secretFor: () => 'other' }, 403, 'OTSAuthFailed', 'Signature mismatch.'],
    ['unknown key id', { secretFor: () => undefined }, 403, 'OTSAuthFailed', 'The AccessKeyID does not exist.'],
    ['other instance', { instanceName: 'other' }, 403, 'OTSAuthFailed', 'The instance is not found.'],
    ['tampered body', { body: Buffer.from('request bodY') }, 403, 'OTSAuthFailed', 'Mismatch between MD5 value of request body and x-ots-contentmd5 in header.'],
    ['other path', { path: '/GetStreamRecord' }, 403, 'OTSAuthFailed', 'Signature mismatch.'],
    ['stale date', { maxClockSkewMs: 60_000, nowMs: date.getTime() + 120_000 }, 403, 'OTSAuthFailed', `Mismatch between system time and x-ots-date: ${date.toISOString()}.`],
    ['missing STS token', { securityToken: 'sts' }, 403, 'OTSAuthFailed', 'The security token is invalid or missing.'],
  ])('%s is rejected', (_name, override, status, code, message) => {
    expect(verifyRequest({ ...base, ...override })).toEqual({ ok: false, status, code, message });
  });

  test('missing headers are a parameter error', () => {
    const headers: Record<string, string> = { ...signed };
    delete headers['x-ots-date'];
    expect(verifyRequest({ ...base, headers })).toEqual({ ok: false, status: 400, code: 'OTSParameterInvalid', message: 'Missing header: x-ots-date.' });
  });
});
