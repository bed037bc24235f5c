import { Alert, App, type FormInstance, Select, TreeSelect } from 'antd';
import { useMemo, useRef, useState } from 'react';
import { ApiError, apiGet } from '../../api.ts';
import { useI18n } from '../../i18n.tsx';
import { type OrgNode, useSelection } from '../../selection.tsx';
import type { SearchHit } from '../../types.ts';

/**
 * Sends a form to the server and shows the domain rules' answer where it belongs: each
 * field-level issue (field 'child.idNumber' → Form.Item name ['child', 'idNumber']) at its field;
 * issues for fields the form does not have, and other errors, in an alert above the buttons.
 */
export function useServerForm<T>(form: FormInstance, fields: string[], send: (values: T) => Promise<void>) {
  const [error, setError] = useState<string[]>();
  const [busy, setBusy] = useState(false);
  const known = new Set(fields);
  const onFinish = async (values: T) => {
    setBusy(true);
    setError(undefined);
    try {
      await send(values);
    } catch (e) {
      if (!(e instanceof ApiError)) {
        setError([String(e)]);
        return;
      }
      // The server spells every field path with dots: 'items.0.target' is row 0's target field.
      const issues = e.issues.length
        ? e.issues
        : [{ field: e.field ?? '', message: e.message, code: e.code }];
      const atFields = issues.filter((issue) => known.has(issue.field));
      form.setFields(
        [...new Set(atFields.map((issue) => issue.field))].map((field) => ({
          // 'items.2.target' → ['items', 2, 'target'] (Form.List rows are numbered).
          name: field.split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : part)),
          errors: atFields.filter((issue) => issue.field === field).map((issue) => issue.message),
        })),
      );
      const rest = issues.filter((issue) => !known.has(issue.field)).map((issue) => issue.message);
      if (rest.length) setError(rest);
    } finally {
      setBusy(false);
    }
  };
  const alert = error ? (
    <Alert
      type="error"
      showIcon
      style={{ marginBottom: 16 }}
      message={error.length === 1 ? error[0] : undefined}
      description={error.length > 1 ? error.map((m) => <div key={m}>{m}</div>) : undefined}
    />
  ) : null;
  return { onFinish, busy, alert };
}

/** Today as YYYY-MM-DD in the browser's time zone (the office's day). */
export function today(): string {
  const now = new Date();
  return new Date(now.getTime() - now.getTimezoneOffset() * 60_000).toISOString().slice(0, 10);
}

/** Empty strings mean "not given": the API wants them absent or null. */
export function compact<T extends Record<string, unknown>>(values: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) {
    if (value === '' || value === undefined) continue;
    out[key] = value && typeof value === 'object' && !Array.isArray(value) ? compact(value as T) : value;
  }
  return out as T;
}

/** Picks a person from the registry by ID number, name, pinyin or initials. */
export function PersonPicker({
  value,
  onChange,
  sex,
  placeholder,
  initial,
  id,
}: {
  value?: number;
  onChange?: (id: number | undefined) => void;
  sex?: 'male' | 'female';
  placeholder?: string;
  initial?: SearchHit | { id: number; name: string; birthDate: string; sex: string };
  id?: string;
}) {
  const { tr, label } = useI18n();
  const { message } = App.useApp();
  const [options, setOptions] = useState<{ value: number; label: string }[]>(
    initial
      ? [{ value: initial.id, label: `${initial.name} · ${label(initial.sex)} · ${initial.birthDate}` }]
      : [],
  );
  const last = useRef(0);
  const search = async (q: string) => {
    if (q.trim().length < 1) return;
    const ticket = ++last.current;
    try {
      const result = await apiGet<{ items: SearchHit[] }>('/api/persons', { q, sex, limit: 20 });
      if (ticket !== last.current) return;
      setOptions(
        result.items.map((hit) => ({
          value: hit.id,
          label: `${hit.name} · ${label(hit.sex)} · ${hit.birthDate}${hit.idNumber ? ` · …${hit.idNumber.slice(-4)}` : ''}`,
        })),
      );
    } catch (e) {
      message.error((e as Error).message);
    }
  };
  return (
    <Select
      id={id}
      showSearch={{ filterOption: false, onSearch: search }}
      allowClear
      value={value}
      onChange={(v) => onChange?.(v ?? undefined)}
      options={options}
      placeholder={
        placeholder ?? tr('输入身份证号、姓名、拼音或首字母', 'ID number, name, pinyin or initials')
      }
      notFoundContent={tr('无匹配', 'No match')}
    />
  );
}

/** A village (where a person lives): the county's tree with only villages selectable. */
export function VillagePicker({
  value,
  onChange,
  id,
}: {
  value?: string;
  onChange?: (code: string) => void;
  id?: string;
}) {
  const { tree } = useSelection();
  const { tr } = useI18n();
  const items = useMemo(() => {
    const map = (nodes: OrgNode[]): object[] =>
      nodes.map((node) => ({
        value: node.code,
        title: node.name,
        selectable: node.level === 'village',
        children: map(node.children),
      }));
    return map(tree);
  }, [tree]);
  return (
    <TreeSelect
      id={id}
      value={value}
      onChange={onChange}
      treeData={items}
      showSearch={{ treeNodeFilterProp: 'title' }}
      placeholder={tr('选择村（社区）', 'Choose a village')}
    />
  );
}

export const RESIDENCE_TYPES = ['registered', 'inflow', 'resident', 'outflow'] as const;
