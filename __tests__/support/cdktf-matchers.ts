/**
 * cdktf's Jest matchers (`toHaveResource`, `toHaveResourceWithProperties`, ...). Imported by the test files that use
 * them rather than set up for every file: loading cdktf costs each Jest test file about half a second of CPU.
 */
import 'cdktf/lib/testing/adapters/jest';
import { Testing } from 'cdktf';

Testing.setupJest();
