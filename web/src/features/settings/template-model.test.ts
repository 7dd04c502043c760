import { describe, expect, it } from 'vitest';
import type { SettingsTicketFieldFragment } from '../../graphql/generated/graphql.ts';
import {
  addField,
  archiveField,
  draftFromServer,
  isDirty,
  mapFieldErrors,
  moveField,
  moveFieldTo,
  normalizeField,
  restoreField,
  rowError,
  suggestKey,
  toFieldInputs,
} from './template-model.ts';

function field(key: string, position: number, extra: Partial<SettingsTicketFieldFragment> = {}): SettingsTicketFieldFragment {
  return {
    id: `id-${key}`,
    key,
    label: key.toUpperCase(),
    description: null,
    kind: 'TEXT',
    required: false,
    position,
    customerVisible: true,
    editableAfterSubmit: false,
    editableBy: [],
    maxLength: null,
    archived: false,
    options: [],
    ...extra,
  };
}

const saved = () => [
  field('b', 1),
  field('old', 0, { archived: true }),
  field('a', 0, { kind: 'SINGLE_SELECT', options: [{ value: 'x', label: 'X' }] }),
  field('c', 2, { required: true }),
];
const keys = (d: { fields: { key: string }[] }) => d.fields.map((f) => f.key);

describe('template draft', () => {
  it('puts live fields in layout order and archived ones aside', () => {
    const d = draftFromServer(saved());
    expect(keys(d)).toEqual(['a', 'b', 'c']);
    expect(d.archived.map((f) => f.key)).toEqual(['old']);
    expect(isDirty(d, saved())).toBe(false);
  });

  it('reorders with up/down and drag, stopping at the ends', () => {
    const d = draftFromServer(saved());
    expect(moveField(d, 'id-a', -1)).toBe(false);
    expect(moveField(d, 'id-c', 1)).toBe(false);
    expect(moveField(d, 'id-c', -1)).toBe(true);
    expect(keys(d)).toEqual(['a', 'c', 'b']);
    moveFieldTo(d, 'id-b', 0);
    expect(keys(d)).toEqual(['b', 'a', 'c']);
    moveFieldTo(d, 'id-b', 99);
    expect(keys(d)).toEqual(['a', 'c', 'b']);
    expect(isDirty(d, saved())).toBe(true);
  });

  it('archives saved fields (restorable) but simply drops new ones', () => {
    const d = draftFromServer(saved());
    const added = addField(d, { label: 'New one' });
    archiveField(d, added.uid);
    expect(keys(d)).toEqual(['a', 'b', 'c']);
    expect(d.archived).toHaveLength(1);

    archiveField(d, 'id-b');
    expect(keys(d)).toEqual(['a', 'c']);
    expect(d.archived.map((f) => f.key)).toEqual(['old', 'b']);
    // Left out of the input = archived by the server.
    expect(toFieldInputs(d).map((f) => f.key)).toEqual(['a', 'c']);

    restoreField(d, 'id-old');
    expect(keys(d)).toEqual(['a', 'c', 'old']);
  });

  it('suggests unique keys: from ASCII labels, else field_N', () => {
    const d = draftFromServer(saved());
    expect(suggestKey(d, 'Order Number!')).toBe('order_number');
    expect(suggestKey(d, '期望联系时间')).toBe('field_1');
    expect(suggestKey(d, '2nd contact')).toBe('nd_contact');
    expect(suggestKey(d, 'a')).toBe('a_1'); // taken
    expect(suggestKey(d, 'old')).toBe('old_1'); // archived keys stay taken
    const f1 = addField(d);
    const f2 = addField(d);
    expect([f1.key, f2.key]).toEqual(['field_1', 'field_2']);
    expect(f1.isNew && f1.customerVisible && !f1.required).toBe(true);
  });

  it('sends only settings that apply to the kind', () => {
    const d = draftFromServer(saved());
    const f = addField(d, { label: ' Budget ', kind: 'NUMBER', maxLength: 20, options: [{ value: 'v', label: 'l' }], editableBy: ['ASSIGNEE'] });
    const input = toFieldInputs(d).at(-1)!;
    expect(input).toMatchObject({ key: f.key, label: 'Budget', kind: 'NUMBER', options: null, maxLength: null, editableBy: [], description: null });
    expect(toFieldInputs(d)[0]!.options).toEqual([{ value: 'x', label: 'X' }]);
  });

  it('normalizes dependent settings when kind or flags change', () => {
    const d = draftFromServer(saved());
    const f = addField(d, { kind: 'TEXT', maxLength: 50 });
    f.kind = 'MULTI_SELECT';
    normalizeField(f);
    expect(f.maxLength).toBeNull();
    expect(f.options).toHaveLength(1);
    f.editableAfterSubmit = true;
    f.editableBy = ['CREATOR', 'ASSIGNEE'];
    f.customerVisible = false;
    normalizeField(f);
    expect(f.editableBy).toEqual(['ASSIGNEE']); // internal fields cannot be edited by the submitter
    f.editableAfterSubmit = false;
    normalizeField(f);
    expect(f.editableBy).toEqual([]);
  });
});

describe('server field errors', () => {
  it('land on the rows that were submitted, whatever happened to the order since', () => {
    const d = draftFromServer(saved());
    const added = addField(d, { kind: 'SINGLE_SELECT', options: [{ value: 'o', label: '' }] });
    moveField(d, added.uid, -1); // a, b, new, c
    const order = d.fields.map((f) => f.uid);
    const r = mapFieldErrors(order, [
      { field: 'fields.2.options.0.label', message: 'is required' },
      { field: 'fields.2.key', message: 'bad key' },
      { field: 'fields.2.key', message: 'taken' },
      { field: 'fields.0.kind', message: 'cannot change' },
      { field: 'fields', message: 'at most 50 fields per type' },
      { field: 'fields.9.label', message: 'no such row' },
    ]);
    moveField(d, added.uid, 1); // moving afterwards does not matter: errors are by uid
    expect(r.rows[added.uid]).toEqual({ 'options.0.label': 'is required', key: 'bad key; taken' });
    expect(r.rows['id-a']).toEqual({ kind: 'cannot change' });
    expect(r.rows['id-b']).toBeUndefined();
    expect(r.general).toEqual(['at most 50 fields per type', 'no such row']);
    expect(rowError(r.rows[added.uid], 'options')).toBe('is required');
    expect(rowError(r.rows[added.uid], 'label')).toBeUndefined();
    expect(rowError(undefined, 'label')).toBeUndefined();
  });
});
