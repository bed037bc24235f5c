import { Alert, Card, Space, Table, Tooltip, Typography } from 'antd';
import { apiGet } from '../../api.ts';
import { useAsync } from '../../components/use-async.ts';
import { formatValue, intervalText } from '../../format.ts';
import { useI18n } from '../../i18n.tsx';
import { useSelection } from '../../selection.tsx';
import type { CompletenessReport, CompletenessRow } from '../../types.ts';
import { gapText } from './official-gap.ts';

type Share = CompletenessRow['registryCompleteness'];

/** 出生登记完整性: registered vs hospital births by township, the two-list estimate and its interval. */
export default function CompletenessPage() {
  const { tr, lang } = useI18n();
  const { unit, period, setUnit } = useSelection();
  const year = Number(period.slice(0, 4));
  // The estimate is by township: a village selection asks for its township.
  const asked = unit && unit.length > 9 ? unit.slice(0, 9) : unit;
  const result = useAsync(
    () => apiGet<CompletenessReport>('/api/completeness', { unit: asked, year }),
    [asked, year],
  );
  const pct = (share: Share | null) =>
    share?.value === null || share?.value === undefined ? (
      '—'
    ) : (
      <Tooltip
        title={
          share.lower !== null && share.upper !== null
            ? `95%: ${(share.lower * 100).toFixed(1)}–${(share.upper * 100).toFixed(1)}%`
            : ''
        }
      >
        <span style={{ color: share.value < 0.95 ? '#cf1322' : undefined }}>
          {(share.value * 100).toFixed(1)}%
        </span>
      </Tooltip>
    );
  // A township's answer has itself as its one row and as the total: listed once.
  const total = result.data?.total;
  const rows = [
    ...(result.data?.rows ?? []).filter((row) => row.unit !== total?.unit),
    ...(total ? [total] : []),
  ];
  // The units the bureau's figure has been entered for (often the county only).
  const official = rows.filter((row) => row.official !== null);
  // Fewer than the bureau says in orange; more in the default colour.
  const gapCell = (gap: number | null, row: CompletenessRow) => (
    <span style={{ color: gap !== null && Math.round(gap) > 0 ? '#d46b08' : undefined }}>
      {gapText(gap, row.official?.births ?? 0, lang)}
    </span>
  );
  return (
    <Space direction="vertical" size={12} style={{ width: '100%' }}>
      <Typography.Title level={4} className="page-title">
        {tr('出生登记完整性', 'Birth registration completeness')} · {result.data?.unitName ?? ''} · {year}
      </Typography.Title>
      {result.error && <Alert type="error" showIcon message={result.error.message} />}
      {/* The year is too recent to trust, certificates with no place: said above the table. */}
      {result.data?.notes.map((note) => (
        <Alert key={note.code} type="warning" showIcon message={note.message[lang]} />
      ))}
      {result.data && (
        <Card
          size="small"
          title={tr('与统计局公布出生数对照', 'Against the statistics bureau’s birth figure')}
          data-testid="official-births"
        >
          {official.length === 0 ? (
            <Typography.Text type="secondary">
              {tr(
                `尚未录入统计局公布的 ${year} 年出生数；录入后（县级管理员）在此与户籍登记、医院出生医学证明对照。`,
                `The statistics bureau’s births for ${year} have not been entered; once entered (by a county administrator) they are set against the registry and the hospitals’ certificates here.`,
              )}
            </Typography.Text>
          ) : (
            <Table
              size="small"
              rowKey="unit"
              pagination={false}
              dataSource={official}
              columns={[
                { title: tr('单位', 'Unit'), dataIndex: 'unitName' },
                {
                  title: tr('统计局公布', 'Official'),
                  align: 'right',
                  render: (_, row) => <b>{formatValue(row.official?.births, 'count', lang)}</b>,
                },
                {
                  title: tr('户籍登记', 'Registry'),
                  align: 'right',
                  render: (_, row) => formatValue(row.registered, 'count', lang),
                },
                {
                  title: tr('登记比公布', 'Registry vs official'),
                  render: (_, row) => gapCell(row.official?.gapToRegistered ?? null, row),
                },
                {
                  title: tr('医院出生证明', 'Hospital certificates'),
                  align: 'right',
                  render: (_, row) => formatValue(row.hospital, 'count', lang),
                },
                {
                  title: tr('医院比公布', 'Hospitals vs official'),
                  render: (_, row) => gapCell(row.official?.gapToHospital ?? null, row),
                },
                {
                  title: tr('两来源估计', 'Two-list estimate'),
                  align: 'right',
                  render: (_, row) => formatValue(row.estimate, 'count', lang),
                },
                {
                  title: tr('估计比公布', 'Estimate vs official'),
                  render: (_, row) => gapCell(row.official?.gapToEstimate ?? null, row),
                },
              ]}
            />
          )}
        </Card>
      )}
      <Card size="small">
        <Table
          size="small"
          rowKey="unit"
          loading={result.loading}
          pagination={false}
          dataSource={rows}
          columns={[
            {
              title: tr('单位', 'Unit'),
              onCell: () => ({ style: { whiteSpace: 'nowrap' } }),
              render: (_, row) =>
                row.unit === asked ? (
                  <b>{row.unitName}</b>
                ) : (
                  <Typography.Link onClick={() => setUnit(row.unit)}>{row.unitName}</Typography.Link>
                ),
            },
            { title: tr('登记出生', 'Registered'), dataIndex: 'registered' },
            { title: tr('医院出生', 'Hospital'), dataIndex: 'hospital' },
            { title: tr('两者都有', 'On both'), dataIndex: 'matched' },
            {
              title: tr('估计出生数（95%）', 'Estimated births (95%)'),
              render: (_, row) =>
                // One bound can be null (an unbounded upper limit): then no interval, never "null".
                row.estimate === null
                  ? '—'
                  : `${formatValue(row.estimate, 'count', lang)}${intervalText(row, 'count', lang)}`,
            },
            {
              title: tr('登记完整率', 'Registry completeness'),
              render: (_, row) => pct(row.registryCompleteness),
            },
            {
              title: tr('医院完整率', 'Hospital completeness'),
              render: (_, row) => pct(row.hospitalCompleteness),
            },
            {
              title: tr('提示', 'Notes'),
              render: (_, row) => row.notes.map((n) => n.message[lang]).join('；'),
            },
          ]}
        />
        <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>
          {tr(
            '两来源（户籍登记、医院出生医学证明）捕获—再捕获估计；按母亲居住地统计。',
            'Two-list (registry and hospital birth certificates) capture–recapture estimate, by the mother’s residence.',
          )}
        </Typography.Paragraph>
      </Card>
    </Space>
  );
}
