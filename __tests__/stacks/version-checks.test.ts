import { Testing } from 'cdktf';
import { addProjectStacks } from '../../lib/app';
import { projectConfig } from '../../lib/config/environments';

// The module object cdktf calls execSync on (an `import * as` would give a copy under esModuleInterop).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const childProcess: typeof import('child_process') = require('child_process');

describe('Terraform version checks', () => {
  it('run `terraform version` once per distinct check, and every construct that carries one still gets the answer', () => {
    const execSync = jest.spyOn(childProcess, 'execSync').mockImplementation(() => Buffer.from('Terraform v1.3.9\non linux_amd64\n'));
    try {
      const app = Testing.app();
      addProjectStacks(app, projectConfig);
      const messages = app.node.findAll().flatMap((c) => c.node.validate());
      const tooOld = messages.filter((m) => /terraform version 1\.3\.9 is lower than the required version/i.test(m));
      const dataResources = app.node.findAll().filter((c) => (c as { terraformResourceType?: string }).terraformResourceType === 'terraform_data');
      expect(dataResources.length).toBeGreaterThan(3);
      // Every terraform_data resource is refused with Terraform 1.3 (it needs 1.4)...
      expect(tooOld.length).toBeGreaterThanOrEqual(dataResources.length);
      // ...from one process per distinct (constraint, hint), not one per construct.
      const commands = execSync.mock.calls.map(([command]) => String(command));
      expect(commands.every((c) => c === 'terraform version')).toBe(true);
      expect(commands.length).toBeLessThanOrEqual(3);
    } finally {
      execSync.mockRestore();
    }
  });
});
