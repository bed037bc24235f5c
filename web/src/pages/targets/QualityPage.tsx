import { Alert, Card, Space, Table, Tooltip, Typography } from 'antd';
import { apiGet } from '../../api.ts';
import { useAsync } from '../../components/use-async.ts';
import { intervalText } from '../../format.ts';
import { useI18n } from '../../i18n.tsx';
import { useSelection } from '../../selection.tsx';
import type { QualityRatesView } from '../../types.ts';
import { periodLabel } from '../DashboardPage.tsx';

const RATES = ['entry_rate', 'completeness_rate', 'accuracy_rate', 'timeliness_rate'] as const;

type Rate = QualityRatesView['units'][number]['rates'][string];

/** 数据质量: the four rates (入库率, 完整率, 准确率, 及时率) of the unit and its sub-units, missing fields. */
export default function QualityPage() {
  const { tr, lang } = useI18n();
  const { unit, period, nameOf, setUnit } = useSelection();
  const rates = useAsync(
    // The unit itself first, then the units below it (two answers of the same route).
    () =>
      Promise.all([
        apiGet<QualityRatesView>('/api/quality/rates', { unit, period }),
        apiGet<QualityRatesView>('/api/quality/rates', { unit, period, by: 'children' }),
      ]).then(([own, below]) => ({ ...own, units: [...own.units, ...below.units] })),
    [unit, period, lang],
  );
  const data = rates.data;
  const cell = (rate: Rate | undefined) => {
    if (!rate) return '—';
    const text = rate.value === null ? '—' : `${rate.value.toFixed(1)}%`;
    const tip = [
      rate.numerator === null ? '' : `${rate.numerator} / ${rate.denominator ?? '—'}`,
      // '' when a bound is null (no denominator): the tip never says "null".
      intervalText(rate.interval, 'percent', lang).trim(),
      ...rate.flags.map((f) => f.message),
    ]
      .filter(Boolean)
      .join('；');
    const low = rate.value !== null && rate.value < 90;
    return (
      <Tooltip title={tip}>
        <span style={{ color: low ? '#cf1322' : undefined }}>
          {text}
          {rate.flags.length > 0 ? ' *' : ''}
        </span>
      </Tooltip>
    );
  };
  return (
    <Space direction="vertical" size={12} style={{ width: '100%' }}>
      <Typography.Title level={4} className="page-title">
        {tr('数据质量', 'Data quality')} · {nameOf(unit)} · {periodLabel(period, lang)}
      </Typography.Title>
      {rates.error && <Alert type="error" showIcon message={rates.error.message} />}
      {!data && rates.loading && <Card loading />}
      {data && (
        <>
          <Card size="small">
            <Table
              size="small"
              rowKey="unit"
              pagination={false}
              loading={rates.loading}
              dataSource={data.units}
              columns={[
                {
                  title: tr('单位', 'Unit'),
                  render: (_, row) =>
                    row.unit === unit ? (
                      <b>{nameOf(row.unit)}</b>
                    ) : (
                      <Typography.Link onClick={() => setUnit(row.unit)}>{nameOf(row.unit)}</Typography.Link>
                    ),
                },
                ...RATES.map((id) => ({
                  title: data.names[id] ?? id,
                  key: id,
                  render: (_: unknown, row: QualityRatesView['units'][number]) => cell(row.rates[id]),
                })),
              ]}
            />
            <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>
              {tr(
                '悬停查看分子/分母与 95% 置信区间；* 表示有提示（如事件太少）；低于 90% 标红。准确率来自入户核查。',
                'Hover for numerator/denominator and the 95% interval; * marks a flag (e.g. few events); below 90% in red. Accuracy comes from field audits.',
              )}
            </Typography.Paragraph>
          </Card>
          {data.missing && (
            <Card
              size="small"
              title={tr(
                `必填项缺失（${data.missing.date}，${data.missing.records} 条记录）`,
                `Required fields missing (${data.missing.date}, ${data.missing.records} records)`,
              )}
            >
              <Table
                size="small"
                rowKey="field"
                pagination={false}
                dataSource={data.missing.fields}
                columns={[
                  { title: tr('字段', 'Field'), dataIndex: 'label' },
                  { title: tr('缺失', 'Missing'), dataIndex: 'missing' },
                ]}
              />
            </Card>
          )}
        </>
      )}
    </Space>
  );
}
