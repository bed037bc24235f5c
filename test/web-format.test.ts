import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatValue, intervalText } from '../web/src/format.ts';

describe('the web app’s number formats', () => {
  it('shows an interval only when both bounds are known (the server sends null bounds where there is no exposure)', () => {
    assert.equal(intervalText({ lower: 1.234, upper: 5.678 }, 'permille', 'zh-CN'), ' (95% 1.23‰ – 5.68‰)');
    assert.equal(intervalText({ lower: null, upper: null }, 'permille', 'zh-CN'), '');
    assert.equal(intervalText({ lower: 2, upper: null }, 'count', 'en'), '');
    assert.equal(intervalText(null, 'count', 'en'), '');
    assert.equal(formatValue(null, 'count', 'en'), '—');
  });
});
