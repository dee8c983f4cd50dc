import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { extractProviderSchema } from '../../lib/bindings/extract-schema';

/** A tiny provider package exercising the SDK rules the extractor has to reproduce. */
const PROVIDER_GO = `package fake

import "github.com/hashicorp/terraform-plugin-sdk/helper/schema"

const maxRules = 3

var descriptions map[string]string

func init() {
	descriptions = map[string]string{
		"region": "The region.",
	}
}

func Provider() terraform.ResourceProvider {
	provider := &schema.Provider{
		Schema: map[string]*schema.Schema{
			"region": {
				Type:        schema.TypeString,
				Required:    true,
				DefaultFunc: schema.EnvDefaultFunc("FAKE_REGION", nil),
				Description: descriptions["region"],
			},
			"role_arn": {
				Type:        schema.TypeString,
				Required:    true,
				DefaultFunc: schema.EnvDefaultFunc("FAKE_ROLE", ""),
			},
		},
		ResourcesMap: map[string]*schema.Resource{
			"fake_thing": resourceFakeThing(),
		},
		DataSourcesMap: map[string]*schema.Resource{
			"fake_info": dataSourceFakeInfo(),
		},
	}
	return provider
}

func tagsSchema() *schema.Schema {
	return &schema.Schema{
		Type:     schema.TypeMap,
		Optional: true,
	}
}
`;

const RESOURCE_GO = `package fake

func resourceFakeThing() *schema.Resource {
	return &schema.Resource{
		Create: create,
		Timeouts: &schema.ResourceTimeout{
			Create: schema.DefaultTimeout(5 * time.Minute),
		},
		SchemaVersion: 2,
		Schema: map[string]*schema.Schema{
			"name": {
				Type:     schema.TypeString,
				Required: true,
				ForceNew: true,
				DiffSuppressFunc: func(k, old, new string, d *schema.ResourceData) bool {
					return strings.ToLower(old) == strings.ToLower(new)
				},
			},
			"secret": {Type: schema.TypeString, Optional: true, Sensitive: true, Deprecated: "Field 'secret' " + "is deprecated."},
			"rule": {
				Type:     schema.TypeSet,
				Required: true,
				MaxItems: maxRules,
				Elem: &schema.Resource{
					Schema: map[string]*schema.Schema{
						"ports": {Type: schema.TypeList, Optional: true, Elem: &schema.Schema{Type: schema.TypeInt}},
					},
				},
			},
			"attr_mode": {
				Type:       schema.TypeList,
				Optional:   true,
				ConfigMode: schema.SchemaConfigModeAttr,
				Elem: &schema.Resource{Schema: map[string]*schema.Schema{"k": {Type: schema.TypeString, Optional: true}}},
			},
			"status": {
				Type:     schema.TypeList,
				Computed: true,
				MinItems: 1,
				Elem: &schema.Resource{Schema: map[string]*schema.Schema{"state": {Type: schema.TypeString, Computed: true}}},
			},
			"labels": {Type: schema.TypeMap, Optional: true, Elem: &schema.Resource{}},
			"legacy": {Type: schema.TypeSet, Optional: true, MinItems: 2, Elem: &schema.Resource{Schema: map[string]*schema.Schema{}}},
			"tags": tagsSchema(),
		},
	}
}

func dataSourceFakeInfo() *schema.Resource {
	return &schema.Resource{
		Read: read,
		Schema: map[string]*schema.Schema{
			"id":    {Type: schema.TypeString, Computed: true},
			"names": {Type: schema.TypeList, Computed: true, Elem: schema.TypeString},
		},
	}
}
`;

describe('extractProviderSchema', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'go-schema-'));
    fs.writeFileSync(path.join(dir, 'provider.go'), PROVIDER_GO);
    fs.writeFileSync(path.join(dir, 'resource_fake_thing.go'), RESOURCE_GO);
    fs.writeFileSync(path.join(dir, 'resource_fake_thing_test.go'), 'package fake\nfunc resourceFakeThing() {}\n');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const extract = (resourceTypes = ['fake_thing', 'fake_missing']) =>
    extractProviderSchema({
      packageDir: dir,
      providerFunction: 'Provider',
      fqpn: 'registry.terraform.io/example/fake',
      resourceTypes,
      dataSourceTypes: ['fake_info'],
    });

  test('reports the block Terraform core would see', () => {
    const { document, missing } = extract();
    expect(missing).toEqual(['fake_missing']);
    const entry = document.provider_schemas['registry.terraform.io/example/fake'];
    expect(entry.provider.block.attributes).toEqual({
      region: { type: 'string', required: true, description: 'The region.', description_kind: 'plain' },
      // Required with a DefaultFunc that yields a value is reported optional.
      role_arn: { type: 'string', optional: true, description_kind: 'plain' },
    });
    const thing = entry.resource_schemas!.fake_thing;
    expect(thing.version).toBe(2);
    expect(thing.block.attributes).toEqual({
      id: { type: 'string', optional: true, computed: true, description_kind: 'plain' },
      name: { type: 'string', required: true, description_kind: 'plain' },
      secret: { type: 'string', optional: true, sensitive: true, deprecated: true, description_kind: 'plain' },
      attr_mode: { type: ['list', ['object', { k: 'string' }]], optional: true, description_kind: 'plain' },
      status: { type: ['list', ['object', { state: 'string' }]], computed: true, description_kind: 'plain' },
      labels: { type: ['map', 'string'], optional: true, description_kind: 'plain' },
      tags: { type: ['map', 'string'], optional: true, description_kind: 'plain' },
    });
    expect(thing.block.block_types).toEqual({
      rule: {
        nesting_mode: 'set',
        min_items: 1,
        max_items: 3,
        block: { attributes: { ports: { type: ['list', 'number'], optional: true, description_kind: 'plain' } }, description_kind: 'plain' },
      },
      // Optional blocks ignore MinItems.
      legacy: { nesting_mode: 'set', block: { description_kind: 'plain' } },
      timeouts: {
        nesting_mode: 'single',
        block: { attributes: { create: { type: 'string', optional: true, description_kind: 'plain' } }, description_kind: 'plain' },
      },
    });
    expect(entry.data_source_schemas!.fake_info.block.attributes).toEqual({
      id: { type: 'string', computed: true, description_kind: 'plain' },
      names: { type: ['list', 'string'], computed: true, description_kind: 'plain' },
    });
  });

  test('refuses schema fields it does not model instead of dropping them', () => {
    fs.writeFileSync(
      path.join(dir, 'resource_fake_odd.go'),
      'package fake\nfunc resourceFakeOdd() *schema.Resource {\n\treturn &schema.Resource{Schema: map[string]*schema.Schema{"x": {Type: schema.TypeString, Optional: true, Frobnicate: true}}}\n}\n',
    );
    fs.writeFileSync(
      path.join(dir, 'provider.go'),
      PROVIDER_GO.replace('"fake_thing": resourceFakeThing(),', '"fake_thing": resourceFakeThing(),\n\t\t\t"fake_odd": resourceFakeOdd(),'),
    );
    expect(() => extract(['fake_odd'])).toThrow(/unsupported schema.Schema field Frobnicate/);
  });
});
