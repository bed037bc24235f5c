import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ancestorCodes,
  checkOrgCode,
  findOrgLevel,
  isInSubtree,
  normaliseOrgCode,
  parentCode,
} from './org-code.ts';

describe('org codes', () => {
  it('knows each level by its length', () => {
    assert.equal(findOrgLevel('62'), 'province');
    assert.equal(findOrgLevel('6208'), 'prefecture');
    assert.equal(findOrgLevel('620881'), 'county');
    assert.equal(findOrgLevel('620881100'), 'township');
    assert.equal(findOrgLevel('620881100201'), 'village');
    assert.equal(findOrgLevel('6208811'), undefined);
  });

  it('walks up the tree by prefix', () => {
    assert.equal(parentCode('620881100201'), '620881100');
    assert.equal(parentCode('620881100'), '620881');
    assert.equal(parentCode('62'), undefined);
    assert.deepEqual(ancestorCodes('620881100201'), ['62', '6208', '620881', '620881100']);
  });

  it('treats a subtree as a prefix', () => {
    assert.ok(isInSubtree('620881100201', '620881'));
    assert.ok(!isInSubtree('620882100201', '620881'));
  });

  it('strips the zero padding of the published 6- and 12-digit forms', () => {
    assert.equal(normaliseOrgCode('620000'), '62');
    assert.equal(normaliseOrgCode('620800'), '6208');
    assert.equal(normaliseOrgCode('620881'), '620881');
    assert.equal(normaliseOrgCode('620881100000'), '620881100');
    assert.equal(normaliseOrgCode('620881000000'), '620881');
    assert.equal(normaliseOrgCode(' 620881 100 201 '), '620881100201');
  });

  it('rejects codes that are not digits or have no level', () => {
    assert.equal(checkOrgCode('62088x')?.code, 'org_code_not_digits');
    assert.equal(checkOrgCode('6208811')?.code, 'org_code_length');
    assert.equal(checkOrgCode('6208811', 'county')?.field, 'county');
    assert.equal(checkOrgCode('620881'), undefined);
  });
});
