/** cdktf's Jest matchers (`toHaveResource`, `toHaveResourceWithProperties`, ...) for every test file. */
import 'cdktf/lib/testing/adapters/jest';
import { Testing } from 'cdktf';

Testing.setupJest();
