// Tests never reach HashiCorp's checkpoint service nor a real Alibaba Cloud account.
process.env.CHECKPOINT_DISABLE = '1';
for (const k of ['ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'ALIBABA_CLOUD_SECURITY_TOKEN', 'ALICLOUD_ACCESS_KEY', 'ALICLOUD_SECRET_KEY']) delete process.env[k];

// cdktf records a creation stack trace for every token (Lazy, Intrinsic, dynamic blocks) only to quote it if that
// token later fails to resolve. Under Jest each capture maps every frame of a deep construct stack through source
// maps, which was about a sixth of the time of a test file that synthesizes a stack; no test reads those traces
// (a failing resolution still throws, only without the "Token created" trace).
jest.mock('cdktf/lib/tokens/private/stack-trace', () => ({ captureStackTrace: () => [] }));
