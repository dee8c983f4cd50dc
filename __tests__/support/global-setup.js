/**
 * Runs in Jest's main process before it starts its workers, so the workers and every process a test starts inherit
 * this environment. Tests reach only loopback servers, with certificates they make themselves: a machine's extra CA
 * bundle (NODE_EXTRA_CA_CERTS) would only cost each of those node processes ~0.09 s of CPU to load it.
 */
module.exports = () => {
  delete process.env.NODE_EXTRA_CA_CERTS;
};
