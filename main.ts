import { projectConfig } from './lib/config/environments';
import { buildApp } from './lib/app';
import { ConfigurationError } from './lib/config/validate';

try {
  buildApp(projectConfig, { allowTeardownOf: process.env.OTSBK_ALLOW_TEARDOWN }).synth();
} catch (e) {
  if (e instanceof ConfigurationError) {
    console.error(e.message);
    process.exit(1);
  }
  throw e;
}
