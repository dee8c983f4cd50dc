// Tests never reach HashiCorp's checkpoint service nor a real Alibaba Cloud account.
process.env.CHECKPOINT_DISABLE = '1';
for (const k of ['ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'ALIBABA_CLOUD_SECURITY_TOKEN', 'ALICLOUD_ACCESS_KEY', 'ALICLOUD_SECRET_KEY']) delete process.env[k];

// cdktf records a creation stack trace for every token (Lazy, Intrinsic, dynamic blocks) only to quote it if that
// token later fails to resolve. Under Jest each capture maps every frame of a deep construct stack through source
// maps, which was about a sixth of the time of a test file that synthesizes a stack; no test reads those traces
// (a failing resolution still throws, only without the "Token created" trace).
jest.mock('cdktf/lib/tokens/private/stack-trace', () => ({ captureStackTrace: () => [] }));

// cdktf requires archiver when it loads (with readable-stream, lodash, glob, compress-commons...: 0.2 s of CPU in a
// bare node, loaded again by each of the 13 test files that load cdktf), only to zip directory assets, which no stack
// here has. This stand-in loads the real package the first time it is used, so such an asset would still be zipped.
const archiverPath = require.resolve('archiver', { paths: [require('node:path').dirname(require.resolve('cdktf'))] });
jest.mock(archiverPath, () => {
  const real = () => jest.requireActual(archiverPath);
  return new Proxy(function archiver() {}, {
    apply: (_target, thisArg, args) => Reflect.apply(real(), thisArg, args),
    construct: (_target, args) => Reflect.construct(real(), args),
    get: (_target, key) => real()[key],
  });
});
