import { fieldMappingProblem } from './fieldMapping';

const mapping = (type: string | undefined, field = 'MyType') => ({
  mappings:
    type === undefined
      ? {}
      : { [field]: { full_name: field, mapping: { [field.split('.').pop() as string]: { type } } } },
});

describe('fieldMappingProblem', () => {
  it('accepts keyword and date fields', () => {
    expect(fieldMappingProblem({ 'a-2026.01.01': mapping('keyword') }, 'MyType', 'keyword')).toBeNull();
    expect(fieldMappingProblem({ a: mapping('date_nanos', '@timestamp') }, '@timestamp', 'date')).toBeNull();
  });

  it('names text fields and suggests the keyword sub-field', () => {
    const problem = fieldMappingProblem(
      { a: mapping('keyword'), b: mapping('text'), c: mapping('text') },
      'MyType',
      'keyword'
    );
    expect(problem).toBe(
      'field "MyType" is mapped as text, not keyword, in b and 1 more (use a keyword field, e.g. "MyType.keyword")'
    );
  });

  it('reports missing fields and empty patterns', () => {
    expect(fieldMappingProblem({ a: mapping(undefined) }, 'MyType', 'keyword')).toBe(
      'field "MyType" does not exist in a'
    );
    expect(fieldMappingProblem({}, 'MyType', 'keyword')).toBe('the index pattern matches no index');
  });

  it('reads dotted sub-fields', () => {
    expect(fieldMappingProblem({ a: mapping('keyword', 'MyType.keyword') }, 'MyType.keyword', 'keyword')).toBeNull();
  });
});
