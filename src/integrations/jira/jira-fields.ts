/**
 * Custom fields as Jira's create metadata describes them (field report F13): which the bot must
 * ask people for, and how a value chosen in a form is sent for each field type.
 * https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/ (createmeta)
 */
import type { RequiredField } from '../tickets/ticket-system.ts';
import { textToDoc } from '../tickets/text-to-doc.ts';
import { toAdf } from './jira-adf.ts';
import type { MetaField } from './jira-answers.ts';

/** Fields the client always fills (or Jira fills: reporter), never asked of people. */
const SET_BY_BOT = new Set([
  'project',
  'issuetype',
  'summary',
  'description',
  'reporter',
  'labels',
  'priority',
]);

/** Multi-line text custom fields take ADF in REST v3; single-line ones a plain string. */
const TEXTAREA = 'com.atlassian.jira.plugin.system.customfieldtypes:textarea';

export function requiredOf(fields: MetaField[]): RequiredField[] {
  return fields
    .filter((field) => field.required && !SET_BY_BOT.has(field.fieldId))
    .map((field) => {
      const kind = kindOf(field);
      const options = kind === 'option' ? optionsOf(field) : [];
      return {
        id: field.fieldId,
        name: field.name,
        kind,
        ...(options.length > 0 && { options }),
      };
    });
}

function kindOf(field: MetaField): RequiredField['kind'] {
  const type = field.schema.type === 'array' ? field.schema.items : field.schema.type;
  switch (type) {
    case 'option':
      return 'option';
    case 'user':
      return 'user';
    case 'number':
      return 'number';
    case 'string':
      return 'string';
    default:
      return 'other';
  }
}

function optionsOf(field: MetaField): { id: string; value: string }[] {
  return (field.allowedValues ?? []).flatMap((allowed) => {
    if (typeof allowed !== 'object' || allowed === null) return [];
    const { id, value, name } = allowed as Record<string, unknown>;
    const label = value ?? name;
    return typeof id === 'string' && typeof label === 'string' ? [{ id, value: label }] : [];
  });
}

/**
 * A form's value for a field as Jira wants it: an option by id when the value is one, else by
 * value; a user by accountId; a number; ADF for a multi-line text field; a one-element array
 * for multi-value fields. Unknown fields are sent as given.
 */
export function fieldValue(field: MetaField | undefined, value: string): unknown {
  if (field === undefined) return value;
  const single = singleValue(field, value);
  return field.schema.type === 'array' ? [single] : single;
}

function singleValue(field: MetaField, value: string): unknown {
  switch (kindOf(field)) {
    case 'option':
      return optionsOf(field).some((option) => option.id === value) ? { id: value } : { value };
    case 'user':
      return { accountId: value };
    case 'number':
      return Number(value);
    case 'string':
      return field.schema.custom === TEXTAREA ? toAdf(textToDoc(value)) : value;
    case 'other':
      return value;
  }
}
