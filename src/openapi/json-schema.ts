// valibot -> JSON Schema 2020-12 (the dialect of OpenAPI 3.1) for the
// document. Each pipe is described from its last schema on (valibot's
// "output" type mode): request bodies as the service keeps them (a username in
// lower case), path and query values as the numbers they become. A request
// document may be stricter than the service, never looser about what it
// answers. Rules JSON Schema cannot state (a date in the past, no blank text)
// become the schema's description; anything else unknown fails the build.
import { toJsonSchemaDefs, type ConversionConfig, type JsonSchema } from '@valibot/to-json-schema';
import * as v from 'valibot';

/**
 * Transformations our pipes use keep the type (a type change is followed by a
 * schema that states the new one).
 */
const UNSTATED_ACTIONS = ['transform', 'trim'];

const withRule = (schema: JsonSchema, rule: string): JsonSchema => ({
  ...schema,
  description: schema.description === undefined ? `Also: ${rule}.` : `${schema.description.replace(/\.$/, '')}; ${rule}.`,
});

/** Returning undefined keeps the converter's answer, and its error if it had one. */
const CONFIG: ConversionConfig = {
  target: 'draft-2020-12',
  typeMode: 'output',
  errorMode: 'throw',
  ignoreActions: UNSTATED_ACTIONS,
  overrideRef: ({ referenceId }) => `#/components/schemas/${referenceId}`,
  overrideAction: ({ valibotAction, jsonSchema }) => {
    const { type, requirement, message } = valibotAction as { type: string; requirement?: unknown; message?: unknown };
    switch (type) {
      // JSON Schema counts a string's length in code points, as these do.
      case 'min_code_points':
        return { ...jsonSchema, minLength: requirement as number };
      case 'max_code_points':
        return { ...jsonSchema, maxLength: requirement as number };
      case 'check':
        return typeof message === 'string' ? withRule(jsonSchema, message) : undefined;
      case 'regex': {
        // JSON Schema patterns are Unicode-aware, as `u` makes a regex (ajv compiles them with it); other flags have no form there.
        const { source, flags } = requirement as RegExp;
        if (flags !== '' && flags !== 'u') return undefined;
        if (jsonSchema.pattern === source) return jsonSchema;
        // A second pattern joins the first instead of replacing it.
        return { ...jsonSchema, allOf: [...(jsonSchema.allOf ?? []), { pattern: source }] };
      }
      case 'raw_check': {
        // exactlyOneOf (src/common/field-rules.ts) names its fields; other cross-field checks are described by the operations.
        if (!Array.isArray(requirement)) return jsonSchema;
        // Each branch restates its field (strict validators want a required field among the properties beside it).
        const branch = (field: string) => ({ properties: { [field]: jsonSchema.properties?.[field] ?? {} }, required: [field] });
        return { ...jsonSchema, oneOf: (requirement as string[]).map(branch) };
      }
      default:
        return undefined;
    }
  },
  overrideSchema: ({ valibotSchema, jsonSchema }) => {
    // closedObject's `never` rest: no other field.
    const rest = (valibotSchema as { rest?: v.GenericSchema }).rest;
    if (valibotSchema.type === 'object_with_rest' && rest?.type === 'never') return { ...jsonSchema, additionalProperties: false };
    // A default is documented as the value it becomes (`'20'` -> 20).
    if (valibotSchema.type === 'optional' && 'default' in jsonSchema) {
      return { ...jsonSchema, default: v.parse(valibotSchema, undefined) as JsonSchema['default'] };
    }
    return undefined;
  },
};

/** `definitions` converted, each referring to the others as `#/components/schemas/<name>`. */
export const jsonSchemaDefs = (definitions: Record<string, v.GenericSchema>): Record<string, JsonSchema> =>
  toJsonSchemaDefs(definitions, CONFIG);
