import { Alert, Card, Col, Descriptions, Row, Segmented, Space, Statistic, Table, Typography } from 'antd';
import { useState } from 'react';
import { apiGet } from '../../api.ts';
import { type ChartOption, EChart } from '../../components/EChart.tsx';
import { pyramidOption } from '../../components/pyramid.ts';
import { useAsync } from '../../components/use-async.ts';
import { useI18n } from '../../i18n.tsx';
import { useSelection } from '../../selection.tsx';
import type { ProjectionAnswer, ProjectionCellView } from '../../types.ts';

type Variant = 'low' | 'medium' | 'high';

const VARIANTS: Variant[] = ['low', 'medium', 'high'];
const COLOURS: Record<Variant, string> = { low: '#59a14f', medium: '#1f6fb2', high: '#e15759' };

const whole = (value: number | null | undefined) =>
  value === null || value === undefined ? '—' : Math.round(value).toLocaleString('en-US');
const fixed = (value: number | null | undefined, digits: number) =>
  value === null || value === undefined ? '—' : value.toFixed(digits);

/** A pyramid of one year from the projection's cells; suppressed small cells are drawn as 0. */
function yearPyramid(
  cells: ProjectionCellView[],
  ages: string[],
  tr: (zh: string, en: string) => string,
): ChartOption {
  const count = (age: string, sex: ProjectionCellView['sex']) =>
    cells.find((c) => c.age === age && c.sex === sex)?.population ?? 0;
  return pyramidOption(
    ages,
    ages.map((age) => count(age, 'male')),
    ages.map((age) => count(age, 'female')),
    tr,
  );
}

/**
 * 人口预测: the cohort-component projection of the selected unit from the registry (GET
 * /api/projection) — three variants' totals, the base and final years' pyramids, and where every
 * input came from. Planning statistics only.
 */
export default function ProjectionPage() {
  const { tr, lang } = useI18n();
  const { unit } = useSelection();
  const [years, setYears] = useState(5);
  const [step, setStep] = useState(1);
  const result = useAsync(
    () =>
      unit ? apiGet<ProjectionAnswer>('/api/projection', { unit, years, step }) : Promise.resolve(undefined),
    [unit, years, step, lang],
  );
  const data = result.data;
  const variantName: Record<Variant, string> = {
    low: tr('低方案', 'Low variant'),
    medium: tr('中方案', 'Medium variant'),
    high: tr('高方案', 'High variant'),
  };
  const finalYear = data ? data.baseYear + data.years : undefined;
  const medium = data?.variants.medium;

  const lineOption: ChartOption | undefined = data && {
    tooltip: {
      trigger: 'axis',
      valueFormatter: (v: number) => Math.round(v).toLocaleString('en-US'),
    },
    legend: { top: 0, data: VARIANTS.map((v) => variantName[v]) },
    grid: { left: 64, right: 16, top: 36, bottom: 28 },
    xAxis: { type: 'category', data: data.variants.medium.years.map((y) => String(y.year)) },
    yAxis: { type: 'value', scale: true },
    series: VARIANTS.map((v) => ({
      name: variantName[v],
      type: 'line',
      data: data.variants[v].years.map((y) => (y.population === null ? null : Math.round(y.population))),
      color: COLOURS[v],
      lineStyle: v === 'medium' ? { width: 3 } : { type: 'dashed' },
    })),
  };

  const flags = data ? [...data.flags, ...(medium?.flags ?? [])] : [];

  return (
    <Space direction="vertical" size={12} style={{ width: '100%' }}>
      <Typography.Title level={4} className="page-title">
        {tr('人口预测', 'Population projection')}
        {data ? ` · ${data.unit.name} · ${tr(`基年 ${data.baseYear}`, `base year ${data.baseYear}`)}` : ''}
      </Typography.Title>
      <Space wrap>
        <span>{tr('预测年数', 'Years ahead')}</span>
        <Segmented
          value={years}
          onChange={(value) => setYears(Number(value))}
          options={[5, 10, 15, 20, 25, 30].map((n) => ({ value: n, label: String(n) }))}
        />
        <span>{tr('年龄分组', 'Age groups')}</span>
        <Segmented
          value={step}
          onChange={(value) => setStep(Number(value))}
          options={[
            { value: 1, label: tr('单岁，逐年', 'Single years, yearly') },
            { value: 5, label: tr('五岁组，五年一步', 'Five-year groups and steps') },
          ]}
        />
      </Space>
      {result.error && <Alert type="error" showIcon message={result.error.message} />}
      {/* A cold projection of a big county takes seconds (three years of rates): say so. */}
      {!data && result.loading && <Card loading />}
      {data && medium && (
        <>
          <Row gutter={[12, 12]}>
            {VARIANTS.map((v) => {
              const last = data.variants[v].years.at(-1);
              return (
                <Col xs={24} md={8} key={v}>
                  <Card size="small" data-testid={`projection-final-${v}`}>
                    <Statistic
                      title={tr(
                        `${finalYear} 年总人口（${variantName[v]}）`,
                        `${finalYear} population (${variantName[v]})`,
                      )}
                      value={whole(last?.population)}
                    />
                    <Typography.Text type="secondary">
                      {tr('总和生育率', 'TFR')} {fixed(last?.tfr, 2)} · {tr('65岁+', '65+')}{' '}
                      {fixed(last?.share65plus, 1)}%
                    </Typography.Text>
                  </Card>
                </Col>
              );
            })}
          </Row>
          <Card size="small" title={tr('总人口（三个方案）', 'Total population (three variants)')}>
            {lineOption && (
              <EChart option={lineOption} label={tr('人口预测折线图', 'ProjectionAnswer line chart')} />
            )}
          </Card>
          <Row gutter={[12, 12]}>
            <Col xs={24} lg={12}>
              <Card
                size="small"
                title={tr(`${data.baseYear} 年末人口（基年）`, `End of ${data.baseYear} (base year)`)}
              >
                <EChart
                  option={yearPyramid(data.basePopulation, data.ages, tr)}
                  height={data.step === 1 ? 520 : 360}
                  label={tr('基年人口金字塔', 'Base-year pyramid')}
                />
              </Card>
            </Col>
            <Col xs={24} lg={12}>
              <Card
                size="small"
                title={tr(`${finalYear} 年末人口（中方案）`, `End of ${finalYear} (medium variant)`)}
              >
                <EChart
                  option={yearPyramid(medium.finalPopulation, data.ages, tr)}
                  height={data.step === 1 ? 520 : 360}
                  label={tr('预测年人口金字塔', 'Final-year pyramid')}
                />
              </Card>
            </Col>
          </Row>
          <Card size="small" title={tr('中方案逐年结果', 'Medium variant by year')}>
            <Table
              size="small"
              rowKey="year"
              pagination={false}
              dataSource={medium.years}
              data-testid="projection-medium-table"
              columns={[
                { title: tr('年份', 'Year'), dataIndex: 'year' },
                { title: tr('总人口', 'Population'), render: (_, y) => whole(y.population) },
                { title: tr('出生', 'Births'), render: (_, y) => whole(y.births) },
                { title: tr('死亡', 'Deaths'), render: (_, y) => whole(y.deaths) },
                { title: tr('净迁移', 'Net migration'), render: (_, y) => whole(y.netMigration) },
                { title: tr('总和生育率', 'TFR'), render: (_, y) => fixed(y.tfr, 2) },
                { title: tr('65岁+ %', '65+ %'), render: (_, y) => fixed(y.share65plus, 1) },
                {
                  title: tr('老年抚养比', 'Old-age dependency'),
                  render: (_, y) => fixed(y.oldAgeDependencyRatio, 1),
                },
              ]}
            />
            <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>
              {tr(
                '出生、死亡、净迁移为截至该年的一步（1 年或 5 年）之内的人数。',
                'Births, deaths and net migration are over the step (1 or 5 years) ending that year.',
              )}
            </Typography.Paragraph>
          </Card>
          <Card size="small" title={tr('假设与数据来源', 'Assumptions and sources')}>
            <Descriptions size="small" column={1} bordered>
              <Descriptions.Item label={tr('基年人口', 'Base population')}>
                {whole(data.inputs.population.total)} · {data.inputs.population.description}
              </Descriptions.Item>
              <Descriptions.Item label={tr('生育率与死亡率', 'Fertility and mortality')}>
                {data.inputs.rates.description}
              </Descriptions.Item>
              <Descriptions.Item label={tr('总和生育率', 'Total fertility rate')}>
                {tr(
                  `中方案 ${data.inputs.rates.tfr.toFixed(2)}，低、高方案各减、加 0.2，预测期内不变`,
                  `Medium ${data.inputs.rates.tfr.toFixed(2)}; low and high 0.2 below and above; constant over the projection`,
                )}
              </Descriptions.Item>
              <Descriptions.Item label={tr('出生时预期寿命', 'Life expectancy at birth')}>
                {tr(
                  `男 ${data.inputs.rates.e0Male.toFixed(1)} 岁，女 ${data.inputs.rates.e0Female.toFixed(1)} 岁（基期死亡率，预测期内不变）`,
                  `Males ${data.inputs.rates.e0Male.toFixed(1)}, females ${data.inputs.rates.e0Female.toFixed(1)} (the base period's death rates, constant)`,
                )}
              </Descriptions.Item>
              <Descriptions.Item label={tr('迁移', 'Migration')}>
                {data.inputs.migration.suppressed
                  ? tr('迁移人数少于 5 人，不显示 · ', 'Fewer than 5 moves: not shown · ')
                  : tr(
                      `每年净迁移 ${fixed(data.inputs.migration.netPerYear, 1)} 人（迁入 ${whole(data.inputs.migration.moveIns)}，迁出 ${whole(data.inputs.migration.moveOuts)}）· `,
                      `Net ${fixed(data.inputs.migration.netPerYear, 1)} a year (${whole(data.inputs.migration.moveIns)} in, ${whole(data.inputs.migration.moveOuts)} out) · `,
                    )}
                {data.inputs.migration.description}
              </Descriptions.Item>
              <Descriptions.Item label={tr('出生性别比', 'Sex ratio at birth')}>
                {data.inputs.sexRatioAtBirth.value.toFixed(1)} · {data.inputs.sexRatioAtBirth.description}
              </Descriptions.Item>
            </Descriptions>
            {flags.length > 0 && (
              <Alert
                style={{ marginTop: 8 }}
                type="info"
                showIcon
                message={tr('说明', 'Notes')}
                description={
                  <ul style={{ margin: 0, paddingLeft: 18 }}>
                    {flags.map((flag) => (
                      <li key={flag.code}>{flag.message}</li>
                    ))}
                  </ul>
                }
              />
            )}
          </Card>
        </>
      )}
    </Space>
  );
}
