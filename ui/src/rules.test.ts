import { describe, expect, it } from 'vitest';
import type { MatchRules } from './api';
import {
  addRow,
  countsSummary,
  draftFromRules,
  editRow,
  isDirty,
  mapFromRows,
  problemAt,
  removeRow,
  rowsFromMap,
  rulesFromDraft,
  withSkuRule,
} from './rules';
import type { SynonymRow } from './rules';

const RULES: MatchRules = {
  sku: { trim: true, case_fold: true, collapse_whitespace: false },
  synonyms: {
    names: { colour: 'color', sizes: 'size' },
    values: { grey: 'gray', xl: 'x-large' },
  },
};

function rows(...pairs: [string, string][]): SynonymRow[] {
  return pairs.map(([alias, canonical], key) => ({ key, alias, canonical }));
}

describe('rows and maps', () => {
  it('turns a map into rows in its order and back into the same map', () => {
    const table = rowsFromMap(RULES.synonyms.values, 7);
    expect(table, 'each entry becomes one row, keyed from the given first key').toEqual([
      { key: 7, alias: 'grey', canonical: 'gray' },
      { key: 8, alias: 'xl', canonical: 'x-large' },
    ]);
    expect(mapFromRows('values', table), 'rows of a stored map go back unchanged, with no problems').toEqual({
      map: RULES.synonyms.values,
      problems: [],
    });
  });

  it('gives every row of both tables its own key', () => {
    const draft = draftFromRules(RULES);
    const keys = [...draft.names, ...draft.values].map((r) => r.key);
    expect(new Set(keys).size, 'a key shared by two rows would make an edit land in both tables').toBe(keys.length);
    expect(draft.nextKey, 'an added row must not reuse a key').toBeGreaterThan(Math.max(...keys));
  });

  it('trims both sides before sending', () => {
    const { map, problems } = mapFromRows('values', rows(['  XXL ', ' xx-large  ']));
    expect(problems, 'spaces around a word are not a mistake worth stopping for').toEqual([]);
    expect(map, 'the backend gets the words without the spaces around them').toEqual({ XXL: 'xx-large' });
  });

  it('drops rows left wholly empty, such as an added row nobody filled in', () => {
    const { map, problems } = mapFromRows('names', rows(['colour', 'color'], ['', '  ']));
    expect(problems, 'an untouched new row is not an error').toEqual([]);
    expect(map, 'only the filled row is sent').toEqual({ colour: 'color' });
  });

  it('refuses a row with one side empty and names the row and the cell', () => {
    const { problems } = mapFromRows('values', rows(['xl', 'x-large'], ['xs', ' '], ['', 'small']));
    expect(problems.map((p) => [p.key, p.cell]), 'each half-filled row is reported at its empty cell').toEqual([
      [1, 'canonical'],
      [2, 'alias'],
    ]);
    expect(problems[0]?.message, 'the message says which table and row, counting from 1').toMatch(
      /^Option values, row 2: /,
    );
    expect(problems[0]?.message, 'the message quotes the alias whose meaning is missing').toContain('“xs”');
    expect(problems[1]?.message, 'a missing alias is named as such').toMatch(/row 3: fill in the alias/);
  });

  it('refuses an alias listed twice, ignoring case and spaces as the backend does', () => {
    const { map, problems } = mapFromRows('names', rows(['Colour', 'color'], ['sizes', 'size'], [' colour ', 'hue']));
    expect(problems.length, 'the second listing is the problem, not the first').toBe(1);
    expect(problems[0]?.key, 'the later row is pointed at').toBe(2);
    expect(problems[0]?.message, 'the message says where the alias was first listed').toMatch(
      /row 3: “colour” is already on row 1/,
    );
    expect(map, 'the first listing is kept in the map').toEqual({ Colour: 'color', sizes: 'size' });
  });

  it('allows two aliases with the same canonical word', () => {
    const { problems } = mapFromRows('names', rows(['colour', 'color'], ['colours', 'color']));
    expect(problems, 'many aliases may mean one word').toEqual([]);
  });
});

describe('editing a draft', () => {
  it('adds an empty row at the end with a fresh key and edits only that row', () => {
    const [added, key] = addRow(draftFromRules(RULES), 'values');
    expect(added.values.at(-1), 'the new row is empty and last').toEqual({ key, alias: '', canonical: '' });
    expect(added.names, 'the other table is untouched').toEqual(draftFromRules(RULES).names);
    const edited = editRow(editRow(added, 'values', key, 'alias', 'xxxl'), 'values', key, 'canonical', 'xxx-large');
    expect(edited.values.at(-1), 'typing fills the row it was typed in').toEqual({
      key,
      alias: 'xxxl',
      canonical: 'xxx-large',
    });
    expect(edited.values.slice(0, -1), 'other rows keep their text').toEqual(added.values.slice(0, -1));
    const [, second] = addRow(edited, 'names');
    expect(second, 'keys keep counting up across both tables').toBe(key + 1);
  });

  it('removes the row with the key and no other', () => {
    const draft = draftFromRules(RULES);
    const first = draft.values[0];
    expect(first, 'the sample has value rows').toBeDefined();
    const removed = removeRow(draft, 'values', first?.key ?? -1);
    expect(removed.values.map((r) => r.alias), 'only the removed alias is gone').toEqual(['xl']);
    expect(rulesFromDraft(removed).rules?.synonyms.values, 'the removed alias is not sent').toEqual({ xl: 'x-large' });
  });

  it('sends the SKU checkboxes as they are set', () => {
    const draft = withSkuRule(draftFromRules(RULES), 'collapse_whitespace', true);
    expect(rulesFromDraft(draft).rules?.sku, 'the ticked rule is sent on, the others unchanged').toEqual({
      trim: true,
      case_fold: true,
      collapse_whitespace: true,
    });
  });

  it('sends nothing while any row has a problem, and reports every table', () => {
    let draft = draftFromRules(RULES);
    const [withName, nameKey] = addRow(draft, 'names');
    draft = editRow(withName, 'names', nameKey, 'alias', 'tint');
    const [withValue, valueKey] = addRow(draft, 'values');
    draft = editRow(withValue, 'values', valueKey, 'canonical', 'huge');
    const check = rulesFromDraft(draft);
    expect(check.rules, 'a draft with a half-filled row is not sent').toBeNull();
    expect(check.problems.map((p) => p.table), 'problems of both tables are shown at once').toEqual([
      'names',
      'values',
    ]);
    expect(problemAt(check.problems, 'names', nameKey, 'canonical'), 'the empty cell is the one marked').toBeDefined();
    expect(problemAt(check.problems, 'names', nameKey, 'alias'), 'the filled cell is not marked').toBeUndefined();
  });

  it('round-trips stored rules unchanged', () => {
    expect(rulesFromDraft(draftFromRules(RULES)).rules, 'opening and saving without edits sends the same rules').toEqual(
      RULES,
    );
  });
});

describe('isDirty', () => {
  it('is false for the stored rules and for an added row left empty', () => {
    const draft = draftFromRules(RULES);
    expect(isDirty(draft, RULES), 'nothing changed yet').toBe(false);
    expect(isDirty(addRow(draft, 'values')[0], RULES), 'an empty row changes nothing that would be sent').toBe(false);
  });

  it('is true after a checkbox, an edit or a removal', () => {
    const draft = draftFromRules(RULES);
    expect(isDirty(withSkuRule(draft, 'trim', false), RULES), 'a SKU rule changed').toBe(true);
    const key = draft.values[0]?.key ?? -1;
    expect(isDirty(editRow(draft, 'values', key, 'canonical', 'grey'), RULES), 'a canonical word changed').toBe(true);
    expect(isDirty(removeRow(draft, 'names', draft.names[0]?.key ?? -1), RULES), 'a row removed').toBe(true);
  });

  it('ignores spaces around words, which are trimmed before sending anyway', () => {
    const draft = draftFromRules(RULES);
    const key = draft.values[0]?.key ?? -1;
    expect(isDirty(editRow(draft, 'values', key, 'alias', ' grey '), RULES), 'the same words are no change').toBe(
      false,
    );
  });
});

describe('countsSummary', () => {
  it('lists every class with grouped numbers', () => {
    expect(
      countsSummary({ matched: 12_345, ambiguous: 2, conflict: 1, unmatched: 17, ignored: 0 }),
      'the operator reads the new counts after a re-match in one line',
    ).toBe('12,345 matched, 2 ambiguous, 1 conflict, 17 unmatched, 0 ignored');
    expect(
      countsSummary({ matched: 0, ambiguous: 0, conflict: 3, unmatched: 0, ignored: 0 }),
      'conflicts is plural for more than one',
    ).toContain('3 conflicts');
  });
});
