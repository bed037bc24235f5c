import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type {
  AuditTaskDetails,
  DataCheckTaskDetails,
  LinkageTaskDetails,
  MergeTaskDetails,
  WorkTask,
} from '../src/feeds/work-tasks.ts';
import { describeTask, isPossibleDuplicate, taskReason } from '../web/src/pages/tasks/describe-task.ts';

/** A task as GET /api/tasks sends it; details typed by the server's own types, so a writer's change breaks this file. */
function task(kind: WorkTask['kind'], details: WorkTask['details']): WorkTask {
  return {
    id: 1,
    countyCode: '620881',
    kind,
    orgCode: '620881100001',
    personId: 7,
    source: 'test',
    sourceRef: `${kind}:ref`,
    details,
    status: 'open',
    createdAt: '2025-03-01T00:00:00.000Z',
    createdBy: 'test',
    resolvedAt: null,
    resolvedBy: null,
    resolutionNote: null,
  };
}
const zh = (z: string) => z;
const en = (_: string, e: string) => e;

describe('the work list says what a task is about, from the details its writer stores', () => {
  it('a data check shows its message in the language asked, not its source ref', () => {
    const details: DataCheckTaskDetails = {
      rule: 'no_deaths_in_year',
      period: '2025',
      message: { 'zh-CN': '本年无死亡登记', en: 'No deaths registered this year' },
      figures: {},
    };
    assert.equal(describeTask(task('data_check', { ...details }), zh, 'zh-CN'), '本年无死亡登记');
    assert.equal(
      describeTask(task('data_check', { ...details }), en, 'en'),
      'No deaths registered this year',
    );
  });

  it('an audit discrepancy shows the registry’s value against what the surveyor wrote', () => {
    const details: AuditTaskDetails = {
      auditId: 3,
      householdId: 9,
      notMember: false,
      differences: [{ field: 'birth_date', registry: '1990-01-02', surveyed: '1990-02-01' }],
    };
    assert.equal(
      describeTask(task('audit_discrepancy', { ...details }), zh, 'zh-CN'),
      '入户核查: 出生日期: 1990-01-02 → 1990-02-01',
    );
    const unlisted: AuditTaskDetails = {
      auditId: 3,
      householdId: 9,
      unlisted: true,
      surveyed: { name: '王五' },
    };
    assert.match(
      describeTask(task('audit_discrepancy', { ...unlisted }), zh, 'zh-CN'),
      /未登记的住户成员: 王五$/,
    );
    const notMember: AuditTaskDetails = { auditId: 3, householdId: 9, notMember: true, differences: [] };
    assert.match(describeTask(task('audit_discrepancy', { ...notMember }), zh, 'zh-CN'), /不是本户成员/);
  });

  it('a suggested merge names both records', () => {
    const record = { idNumber: null, sex: 'male', orgCode: '620881100001' };
    const details: MergeTaskDetails = {
      runId: 1,
      personIds: [1, 2],
      records: [
        { ...record, personId: 1, name: '张三', birthDate: '1980-05-06' },
        { ...record, personId: 2, name: '张叁', birthDate: '1980-05-06' },
      ],
      matchWeight: 12,
      matchProbability: 0.99,
      explanation: {},
    };
    assert.equal(
      describeTask(task('merge', { ...details }), zh, 'zh-CN'),
      '疑似同一人: 张三（1980-05-06） 与 张叁（1980-05-06）',
    );
    assert.equal(
      isPossibleDuplicate(task('merge', { ...details })),
      false,
      'a task from before tiers is a suggestion',
    );
  });

  it('a possible duplicate is marked as one to check, and says why it is listed in the language asked', () => {
    const record = { idNumber: null, sex: 'female', orgCode: '620881100001' };
    const details: MergeTaskDetails = {
      runId: 1,
      tier: 'possible',
      reason: {
        'zh-CN': '匹配概率 72.4%，在 50% 与 95% 之间：可能是同一人，请核实后合并或不予处理。',
        en: 'Match probability 72.4%, between 50% and 95%: possibly one person — check, then merge or dismiss.',
      },
      personIds: [1, 2],
      records: [
        { ...record, personId: 1, name: '李梅', birthDate: '1990-03-01' },
        { ...record, personId: 2, name: '李玫', birthDate: '1990-03-08' },
      ],
      matchWeight: 1.4,
      matchProbability: 0.724,
      explanation: {},
    };
    const possible = task('merge', { ...details });
    assert.equal(isPossibleDuplicate(possible), true);
    assert.equal(
      describeTask(possible, zh, 'zh-CN'),
      '可能同一人（待核实）: 李梅（1990-03-01） 与 李玫（1990-03-08）',
    );
    assert.equal(
      describeTask(possible, en, 'en'),
      'Possibly one person (to check): 李梅（1990-03-01） and 李玫（1990-03-08）',
    );
    assert.match(taskReason(possible, 'zh-CN')!, /^匹配概率 72\.4%，在 50% 与 95% 之间/);
    assert.match(taskReason(possible, 'en')!, /^Match probability 72\.4%, between 50% and 95%/);
    assert.equal(taskReason(task('data_check', { ...details }), 'zh-CN'), undefined, 'only merge tasks');
  });

  it('a correction from a department record shows registry → record; an unregistered birth the record’s name and date', () => {
    const base = {
      source: 'birth_certificate',
      batchId: 1,
      rowNo: 2,
      eventKind: 'birth',
      eventDate: '2025-01-01',
    };
    const correction: LinkageTaskDetails = {
      ...base,
      recordNo: null,
      role: 'child',
      pairId: 5,
      differences: [{ field: 'name', feed: '李四', registry: '李泗' }],
    };
    assert.equal(describeTask(task('correction', { ...correction }), zh, 'zh-CN'), '姓名: 李泗 → 李四');
    const unregistered: LinkageTaskDetails = {
      ...base,
      recordNo: 'B123',
      reason: 'no_match',
      fields: { name: '赵六', birth_date: '2025-01-01' },
    };
    assert.equal(
      describeTask(task('unregistered_birth', { ...unregistered }), zh, 'zh-CN'),
      '赵六 · 2025-01-01 · B123',
    );
  });
});
