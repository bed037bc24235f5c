import {
  Alert,
  App,
  Button,
  Card,
  Descriptions,
  Empty,
  Input,
  Segmented,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { ApiError, apiGet, apiPost } from '../../api.ts';
import { useAsync } from '../../components/use-async.ts';
import { useI18n } from '../../i18n.tsx';
import { Link } from '../../router.tsx';
import { useSelection } from '../../selection.tsx';
import type { ReviewItem, StoredExplanation } from '../../types.ts';

type Decision = 'accepted' | 'rejected' | 'unsure';

const PAGE = 20;

/** Field and source names as the linkage stores them, for people. */
const FIELD_NAMES: Record<string, [string, string]> = {
  name: ['姓名', 'Name'],
  sex: ['性别', 'Sex'],
  birth_date: ['出生日期', 'Birth date'],
  id_number: ['身份证号', 'ID number'],
  village: ['村（社区）', 'Village'],
  mother_name: ['母亲姓名', 'Mother’s name'],
  mother_id_number: ['母亲身份证号', 'Mother’s ID number'],
  death_date: ['死亡日期', 'Date of death'],
};
const REVIEWS: Record<string, [string, string]> = {
  accepted: ['已接受', 'Accepted'],
  rejected: ['已拒绝', 'Rejected'],
  unsure: ['不确定', 'Unsure'],
};
const SOURCE_NAMES: Record<string, [string, string]> = {
  birth_certificate: ['出生医学证明', 'Birth certificates'],
  marriage_registration: ['婚姻登记', 'Marriage registrations'],
  hukou_registration: ['户籍登记', 'Hukou registrations'],
  death_certificate: ['死亡医学证明', 'Death certificates'],
};

/**
 * 比对审核: a department record and the registry person it may be, side by side, with each
 * field's agreement and weight; accept (A), reject (R) or unsure (U); J/K or ←/→ to move.
 */
export default function ReviewPage() {
  const { tr, lang, label } = useI18n();
  const { message } = App.useApp();
  const { unit, nameOf } = useSelection();
  const [status, setStatus] = useState<'open' | 'unsure' | 'decided'>('open');
  const [index, setIndex] = useState(0);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const queue = useAsync(
    () => apiGet<{ total: number; items: ReviewItem[] }>('/api/feeds/review', { unit, status, limit: PAGE }),
    [unit, status],
  );
  const items = queue.data?.items ?? [];
  const item = items[Math.min(index, items.length - 1)];

  const decide = useCallback(
    async (decision: Decision) => {
      if (!item || busy) return;
      setBusy(true);
      try {
        await apiPost(`/api/feeds/review/${item.id}`, { decision, ...(note ? { note } : {}) });
        message.success(
          {
            accepted: tr('已接受', 'Accepted'),
            rejected: tr('已拒绝', 'Rejected'),
            unsure: tr('已标为不确定', 'Marked unsure'),
          }[decision],
        );
        setNote('');
        queue.reload();
      } catch (e) {
        message.error(e instanceof ApiError ? e.message : String(e));
      } finally {
        setBusy(false);
      }
    },
    [item, busy, note, message, tr, queue],
  );

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement) return;
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      const key = event.key.toLowerCase();
      if (key === 'a') decide('accepted');
      else if (key === 'r') decide('rejected');
      else if (key === 'u') decide('unsure');
      else if (key === 'j' || key === 'arrowright') setIndex((i) => Math.min(i + 1, items.length - 1));
      else if (key === 'k' || key === 'arrowleft') setIndex((i) => Math.max(i - 1, 0));
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [decide, items.length]);

  const labelOf = (c: StoredExplanation['comparisons'][number]) => c.label[lang];
  const feed = item?.explanation.feed ?? {};
  const registry = item?.explanation.registry ?? {};
  const comparisons = new Map((item?.explanation.comparisons ?? []).map((c) => [c.name, c]));
  const fields = [...new Set([...Object.keys(feed), ...Object.keys(registry)])];
  const show = (field: string, v: unknown) => {
    if (v === null || v === undefined || v === '') return '—';
    if (field === 'village') return nameOf(String(v));
    if (field === 'sex') return label(String(v));
    return String(v);
  };
  const named = (table: Record<string, [string, string]>, key: string) => {
    const entry = table[key];
    return entry ? tr(entry[0], entry[1]) : key;
  };

  return (
    <Space direction="vertical" size={12} style={{ width: '100%' }}>
      <Space style={{ justifyContent: 'space-between', width: '100%' }} wrap>
        <Typography.Title level={4} className="page-title">
          {tr('比对审核', 'Review queue')} · {nameOf(unit)}{' '}
          <span className="muted">
            {tr(`共 ${queue.data?.total ?? '…'} 对`, `${queue.data?.total ?? '…'} pairs`)}
          </span>
        </Typography.Title>
        <Segmented
          value={status}
          onChange={(v) => {
            setStatus(v as typeof status);
            setIndex(0);
          }}
          options={[
            { value: 'open', label: tr('待审核', 'Open') },
            { value: 'unsure', label: tr('不确定', 'Unsure') },
            { value: 'decided', label: tr('已决定', 'Decided') },
          ]}
        />
      </Space>
      {queue.error && <Alert type="error" message={queue.error.message} />}
      {!item && !queue.loading ? (
        <Card size="small">
          <Empty description={tr('队列为空', 'The queue is empty')} />
        </Card>
      ) : item ? (
        <Card
          size="small"
          title={
            <Space wrap>
              <Tag color="blue">{named(SOURCE_NAMES, item.source)}</Tag>
              <span>
                {tr('批次', 'Batch')} {item.batchId} · {tr('第', 'row ')}
                {item.rowNo}
                {tr(' 行', '')}
              </span>
              <span className="muted">
                {tr('匹配概率', 'Probability')} {(item.matchProbability * 100).toFixed(1)}% ·{' '}
                {tr('权重', 'weight')} {item.matchWeight.toFixed(1)}
              </span>
              {item.review && <Tag>{named(REVIEWS, item.review)}</Tag>}
            </Space>
          }
          extra={
            <span className="muted">
              {index + 1} / {items.length}
            </span>
          }
        >
          <Table
            size="small"
            rowKey={(f) => f}
            dataSource={fields}
            pagination={false}
            columns={[
              { title: tr('字段', 'Field'), render: (_: unknown, f: string) => named(FIELD_NAMES, f) },
              {
                title: tr('部门记录', 'Department record'),
                render: (_: unknown, f: string) => show(f, feed[f]),
              },
              {
                title: <Link to={`/persons/${item.personId}`}>{tr('登记库人员', 'Registry person')}</Link>,
                render: (_: unknown, f: string) => show(f, registry[f]),
              },
              {
                title: tr('比较', 'Comparison'),
                render: (_: unknown, f: string) => {
                  const c = comparisons.get(f);
                  return c ? labelOf(c) : '';
                },
              },
              {
                title: tr('权重', 'Weight'),
                align: 'right',
                render: (_: unknown, f: string) => {
                  const c = comparisons.get(f);
                  if (!c) return '';
                  return (
                    <span className={c.weight >= 0 ? 'weight-for' : 'weight-against'}>
                      {c.weight.toFixed(2)}
                    </span>
                  );
                },
              },
            ]}
          />
          <Descriptions size="small" style={{ marginTop: 8 }} column={2}>
            <Descriptions.Item label={tr('事件日期', 'Event date')}>
              {show('event_date', item.eventDate)}
            </Descriptions.Item>
            <Descriptions.Item label={tr('地点', 'Place')}>{nameOf(item.orgCode)}</Descriptions.Item>
          </Descriptions>
          <Space wrap style={{ marginTop: 8 }}>
            <Input
              placeholder={tr('备注（可选）', 'Note (optional)')}
              value={note}
              onChange={(e) => setNote(e.target.value)}
              style={{ width: 260 }}
            />
            <Button type="primary" loading={busy} onClick={() => decide('accepted')}>
              {tr('接受', 'Accept')} (A)
            </Button>
            <Button danger loading={busy} onClick={() => decide('rejected')}>
              {tr('拒绝', 'Reject')} (R)
            </Button>
            <Button loading={busy} onClick={() => decide('unsure')}>
              {tr('不确定', 'Unsure')} (U)
            </Button>
            <Button onClick={() => setIndex((i) => Math.max(i - 1, 0))}>← K</Button>
            <Button onClick={() => setIndex((i) => Math.min(i + 1, items.length - 1))}>J →</Button>
          </Space>
        </Card>
      ) : null}
    </Space>
  );
}
