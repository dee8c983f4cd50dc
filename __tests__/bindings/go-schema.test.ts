import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { extractProviderSchema } from '../../tools/bindings/extract-schema';

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

/** A provider whose attributes carry the validators and constraints the rules extraction has to read. */
const RULES_PROVIDER_GO = `package fake

const INT_MAX = 2147483647

type AccessType string

const (
	AnyNetwork = AccessType("Any")
	VpcOnly    = AccessType("Vpc")
)

func StringInSlice(valid []string, ignoreCase bool) schema.SchemaValidateFunc { return nil }
func StringMatch(r *regexp.Regexp, message string) schema.SchemaValidateFunc { return nil }

func validateName(v interface{}, k string) (ws []string, errors []error) {
	value := v.(string)
	reg := regexp.MustCompile("^[a-z][a-z0-9-]{1,14}$")
	if !reg.MatchString(value) {
		errors = append(errors, fmt.Errorf("bad name " + "%q", value))
	}
	return
}

func validateLoose(v interface{}, k string) (ws []string, errors []error) {
	value := v.(string)
	if len(value) > 3 && strings.HasPrefix(value, "x") {
		errors = append(errors, fmt.Errorf("no"))
	}
	return
}

func Provider() terraform.ResourceProvider {
	provider := &schema.Provider{
		Schema: map[string]*schema.Schema{
			"protocol": {Type: schema.TypeString, Optional: true, ValidateFunc: validation.StringInSlice([]string{"HTTP", "HTTPS"}, false)},
		},
		ResourcesMap: map[string]*schema.Resource{
			"fake_rules": resourceFakeRules(),
			"fake_loose": resourceFakeLoose(),
		},
		DataSourcesMap: map[string]*schema.Resource{},
	}
	return provider
}

func resourceFakeRules() *schema.Resource {
	return &schema.Resource{
		Schema: map[string]*schema.Schema{
			"name":         {Type: schema.TypeString, Required: true, ValidateFunc: validateName},
			"display_name": {Type: schema.TypeString, Optional: true, ValidateFunc: StringMatch(regexp.MustCompile("^[\\\\w.,;/@-]+$"), "Display Name")},
			"accessed_by":  {Type: schema.TypeString, Optional: true, ValidateFunc: StringInSlice([]string{string(AnyNetwork), string(VpcOnly)}, true)},
			"ttl":          {Type: schema.TypeInt, Optional: true, ValidateFunc: validation.IntBetween(-1, INT_MAX)},
			"document":     {Type: schema.TypeString, Optional: true, ValidateFunc: validation.StringIsJSON, ConflictsWith: []string{"statement"}},
			"statement": {
				Type: schema.TypeSet, Optional: true, ConflictsWith: []string{"document"},
				Elem: &schema.Resource{Schema: map[string]*schema.Schema{
					"effect": {Type: schema.TypeString, Required: true, ValidateFunc: validation.All(validation.StringLenBetween(4, 5), validation.StringInSlice([]string{"Allow", "Deny"}, false))},
				}},
			},
			"mode":  {Type: schema.TypeString, Optional: true, RequiredWith: []string{"until"}},
			"until": {Type: schema.TypeString, Optional: true, RequiredWith: []string{"mode"}},
		},
	}
}

func resourceFakeLoose() *schema.Resource {
	return &schema.Resource{
		Schema: map[string]*schema.Schema{
			"code": {Type: schema.TypeString, Optional: true, ValidateFunc: validateLoose},
		},
	}
}
`;

describe('extractProviderSchema: validation rules', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'go-rules-'));
    fs.writeFileSync(path.join(dir, 'provider.go'), RULES_PROVIDER_GO);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const extract = (resourceTypes: string[]) =>
    extractProviderSchema({ packageDir: dir, providerFunction: 'Provider', fqpn: 'registry.terraform.io/example/fake', resourceTypes, dataSourceTypes: [] });

  test('reads ValidateFunc helpers, provider validator functions and cross-attribute constraints', () => {
    const { rules } = extract(['fake_rules']);
    expect(rules.provider_block).toEqual({ protocol: { validate: [{ kind: 'one-of', values: ['HTTP', 'HTTPS'], ignore_case: false }] } });
    expect(rules.resources.fake_rules).toEqual({
      name: { validate: [{ kind: 'match', pattern: '^[a-z][a-z0-9-]{1,14}$' }] },
      display_name: { validate: [{ kind: 'match', pattern: String.raw`^[\w.,;/@-]+$` }] },
      accessed_by: { validate: [{ kind: 'one-of', values: ['Any', 'Vpc'], ignore_case: true }] },
      ttl: { validate: [{ kind: 'int-between', min: -1, max: 2147483647 }] },
      document: { validate: [{ kind: 'json' }], conflicts_with: ['statement'] },
      statement: { conflicts_with: ['document'] },
      'statement.effect': { validate: [{ kind: 'length', min: 4, max: 5 }, { kind: 'one-of', values: ['Allow', 'Deny'], ignore_case: false }] },
      mode: { required_with: ['until'] },
      until: { required_with: ['mode'] },
    });
  });

  test('refuses a validator function whose body it cannot read, instead of guessing', () => {
    expect(() => extract(['fake_loose'])).toThrow(/fake_loose\.code: validator validateLoose \(provider\.go\) does not have a shape/);
  });
});
