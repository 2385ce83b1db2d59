import { tailLines } from './log-tail';

describe('tailLines', () => {
  it('keeps the last lines, with the final newline', () => {
    expect(tailLines('a\nb\nc\n', 2)).toBe('b\nc\n');
    expect(tailLines('a\nb\nc', 2)).toBe('b\nc');
    expect(tailLines('a\nb\nc\n', 1)).toBe('c\n');
  });
  it('returns everything when there are fewer lines', () => {
    expect(tailLines('a\nb\n', 5)).toBe('a\nb\n');
    expect(tailLines('only', 1)).toBe('only');
    expect(tailLines('', 3)).toBe('');
  });
  it('counts empty lines as lines', () => {
    expect(tailLines('a\n\n\nb\n', 3)).toBe('\n\nb\n');
  });
  it('returns nothing for zero lines', () => {
    expect(tailLines('a\nb\n', 0)).toBe('');
  });
});
