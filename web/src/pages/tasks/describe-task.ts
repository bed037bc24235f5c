import type {
  AuditTaskDetails,
  DataCheckTaskDetails,
  LinkageTaskDetails,
  MergeTaskDetails,
  WorkTaskRow as WorkTask,
} from '../../types.ts';

type Tr = (zh: string, en: string) => string;
type Lang = 'zh-CN' | 'en';

const FIELDS: Record<string, [string, string]> = {
  name: ['姓名', 'name'],
  birth_date: ['出生日期', 'birth date'],
  id_number: ['身份证号', 'ID number'],
  sex: ['性别', 'sex'],
  death_date: ['死亡日期', 'death date'],
  address: ['地址', 'address'],
  marital_status: ['婚姻状况', 'marital status'],
  hukou_type: ['户籍性质', 'hukou type'],
  residence_type: ['人口类型', 'residence type'],
  relation_to_head: ['与户主关系', 'relation to head'],
};

const field = (name: string, tr: Tr) => {
  const [zh, en] = FIELDS[name] ?? [name, name];
  return tr(zh, en);
};

/**
 * A short line saying what a work-list task is about, from its details (their shapes are the
 * server's: src/feeds/work-tasks.ts). Pure, so test/web-task-describe.test.ts reads it directly.
 */
export function describeTask(task: WorkTask, tr: Tr, lang: Lang): string {
  switch (task.kind) {
    case 'data_check': {
      // The check's message is bilingual: it used to be read as a string, so the row showed its source ref.
      const d = task.details as Partial<DataCheckTaskDetails>;
      const message = d.message;
      if (message && typeof message === 'object') return message[lang];
      if (typeof message === 'string') return message;
      break;
    }
    case 'merge': {
      const d = task.details as Partial<MergeTaskDetails>;
      if (d.records?.length) {
        const label =
          d.tier === 'possible'
            ? tr('可能同一人（待核实）', 'Possibly one person (to check)')
            : tr('疑似同一人', 'Probably one person');
        return `${label}: ${d.records
          .map((r) => `${r.name}（${r.birthDate}${r.idNumber ? ` · ${r.idNumber}` : ''}）`)
          .join(tr(' 与 ', ' and '))}`;
      }
      break;
    }
    case 'audit_discrepancy': {
      // The surveyor's value is `surveyed` (a department record's is `feed`).
      const d = task.details as Partial<AuditTaskDetails>;
      if (d.unlisted) {
        const name = d.surveyed?.name;
        return `${tr('入户核查发现未登记的住户成员', 'Field audit: someone in the household the registry does not list')}${name ? `: ${name}` : ''}`;
      }
      if (d.notMember) return tr('入户核查：此人不是本户成员', 'Field audit: not a member of this household');
      if (d.differences?.length) {
        return `${tr('入户核查', 'Field audit')}: ${d.differences
          .map((x) => `${field(x.field, tr)}: ${x.registry ?? '—'} → ${x.surveyed ?? '—'}`)
          .join('；')}`;
      }
      break;
    }
    default: {
      const d = task.details as Partial<LinkageTaskDetails>;
      if (d.differences?.length) {
        return d.differences
          .map((x) => `${field(x.field, tr)}: ${x.registry ?? '—'} → ${x.feed ?? '—'}`)
          .join('；');
      }
      if (d.fields) {
        const f = d.fields;
        // A marriage or divorce record names a couple, not one person.
        const couple = [f.husband_name, f.wife_name].filter(Boolean).join(tr(' 与 ', ' & '));
        return [f.name ?? couple, f.birth_date ?? f.death_date ?? f.event_date, f.address, d.recordNo]
          .filter(Boolean)
          .join(' · ');
      }
      if (d.reason) return `${tr('原因', 'reason')}: ${d.reason}`;
    }
  }
  return task.sourceRef;
}

/**
 * Why the finder listed a task, when its writer says (a merge task's score against the thresholds
 * and the fields that agree and disagree), in the language asked.
 */
export function taskReason(task: WorkTask, lang: Lang): string | undefined {
  if (task.kind !== 'merge') return undefined;
  const reason = (task.details as Partial<MergeTaskDetails>).reason;
  return reason && typeof reason === 'object' ? reason[lang] : undefined;
}

/** A possible duplicate: a merge task scored in the band below the suggestion threshold. */
export function isPossibleDuplicate(task: WorkTask): boolean {
  return task.kind === 'merge' && (task.details as Partial<MergeTaskDetails>).tier === 'possible';
}
