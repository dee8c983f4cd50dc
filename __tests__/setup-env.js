// Tests never reach HashiCorp's checkpoint service nor a real Alibaba Cloud account.
process.env.CHECKPOINT_DISABLE = '1';
for (const k of ['ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'ALIBABA_CLOUD_SECURITY_TOKEN', 'ALICLOUD_ACCESS_KEY', 'ALICLOUD_SECRET_KEY']) delete process.env[k];
