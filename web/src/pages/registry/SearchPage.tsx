import { Button, Card, Checkbox, Input, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { apiGet } from '../../api.ts';
import { useAsync } from '../../components/use-async.ts';
import { useI18n } from '../../i18n.tsx';
import { Link, navigate, useLocation } from '../../router.tsx';
import { useSelection } from '../../selection.tsx';
import type { SearchHit } from '../../types.ts';

const PAGE = 20;
/** The filters the search takes besides the text, kept in the address so a result can be linked. */
const FILTERS = ['sex', 'birthFrom', 'birthTo', 'residenceType'] as const;
type Filter = (typeof FILTERS)[number];
const RESIDENCE_TYPES = ['registered', 'resident', 'inflow', 'outflow'];

/**
 * Search the registry: ID number (or its start), Han characters, pinyin, or initials; narrowed by
 * sex, a birth-date range and residence type.
 */
export default function SearchPage() {
  const { tr, t, label } = useI18n();
  const { unit, nameOf } = useSelection();
  const { query } = useLocation();
  const q = query.get('q') ?? '';
  const filters = Object.fromEntries(FILTERS.map((f) => [f, query.get(f) ?? ''])) as Record<Filter, string>;
  const [text, setText] = useState(q);
  const [inUnit, setInUnit] = useState(query.get('all') !== '1');
  const [inactive, setInactive] = useState(false);
  const [offset, setOffset] = useState(0);
  /** The address for a search: the text and the filters, with `change` applied. */
  const searchUrl = (change: Partial<Record<Filter | 'q', string>>) => {
    const next = new URLSearchParams();
    for (const [key, value] of Object.entries({ q, ...filters, ...change })) if (value) next.set(key, value);
    return `/registry?${next}`;
  };
  const setFilter = (filter: Filter, value: string | undefined) => {
    setOffset(0);
    navigate(searchUrl({ [filter]: value ?? '' }), { replace: true });
  };
  const result = useAsync(
    () =>
      q
        ? apiGet<{ items: SearchHit[]; hasMore: boolean; query: { kind: string } }>('/api/persons', {
            q,
            unit: inUnit ? unit : undefined,
            includeInactive: inactive || undefined,
            sex: filters.sex || undefined,
            birthFrom: filters.birthFrom || undefined,
            birthTo: filters.birthTo || undefined,
            residenceType: filters.residenceType || undefined,
            limit: PAGE,
            offset,
          })
        : Promise.resolve(undefined),
    [q, inUnit, inactive, unit, offset, ...FILTERS.map((f) => filters[f])],
  );
  const matchLabel: Record<string, string> = {
    id: tr('身份证号', 'ID number'),
    name: tr('姓名', 'Name'),
    homophone: tr('同音', 'Homophone'),
    pinyin: tr('拼音', 'Pinyin'),
    initials: tr('首字母', 'Initials'),
    fuzzy: tr('近似', 'Similar'),
  };
  return (
    <Space direction="vertical" size={12} style={{ width: '100%' }}>
      <Typography.Title level={4} className="page-title">
        {tr('人员查询', 'Find a person')}
      </Typography.Title>
      <Card size="small">
        <Space direction="vertical" style={{ width: '100%' }}>
          <Input.Search
            aria-label={t('search')}
            autoFocus
            allowClear
            enterButton={t('search')}
            size="large"
            value={text}
            onChange={(e) => setText(e.target.value)}
            onSearch={(value) => {
              setOffset(0);
              navigate(searchUrl({ q: value.trim() }), { replace: true });
            }}
            placeholder={tr(
              '身份证号、姓名（汉字）、拼音（wang xiaoming）或首字母（wxm）',
              'ID number, Han name, pinyin (wang xiaoming) or initials (wxm)',
            )}
          />
          <Space wrap>
            <Checkbox checked={inUnit} onChange={(e) => setInUnit(e.target.checked)}>
              {tr(`仅 ${nameOf(unit)}`, `Only in ${nameOf(unit)}`)}
            </Checkbox>
            <Checkbox checked={inactive} onChange={(e) => setInactive(e.target.checked)}>
              {tr('含死亡与迁出', 'Include dead and moved out')}
            </Checkbox>
            <Select
              aria-label={t('sex')}
              allowClear
              placeholder={t('sex')}
              style={{ width: 100 }}
              value={filters.sex || undefined}
              onChange={(value) => setFilter('sex', value)}
              options={['male', 'female'].map((value) => ({ value, label: label(value) }))}
            />
            <Space size={4}>
              {t('birthDate')}
              <Input
                type="date"
                aria-label={tr('出生日期起', 'Born from')}
                style={{ width: 150 }}
                value={filters.birthFrom}
                onChange={(e) => setFilter('birthFrom', e.target.value)}
              />
              –
              <Input
                type="date"
                aria-label={tr('出生日期止', 'Born up to')}
                style={{ width: 150 }}
                value={filters.birthTo}
                onChange={(e) => setFilter('birthTo', e.target.value)}
              />
            </Space>
            <Select
              aria-label={t('residenceType')}
              allowClear
              placeholder={t('residenceType')}
              style={{ width: 130 }}
              value={filters.residenceType || undefined}
              onChange={(value) => setFilter('residenceType', value)}
              options={RESIDENCE_TYPES.map((value) => ({ value, label: label(value) }))}
            />
          </Space>
        </Space>
      </Card>
      {q && (
        <Card size="small">
          <Table
            size="small"
            rowKey="id"
            loading={result.loading}
            dataSource={result.data?.items ?? []}
            pagination={false}
            scroll={{ x: 860 }}
            onRow={(hit) => ({ onClick: () => navigate(`/persons/${hit.id}`), style: { cursor: 'pointer' } })}
            locale={{ emptyText: result.error?.message ?? tr('没有找到', 'Nobody found') }}
            columns={[
              {
                title: t('name'),
                dataIndex: 'name',
                render: (name: string, hit: SearchHit) => (
                  <Link to={`/persons/${hit.id}`}>
                    {name} <span className="muted">{hit.namePinyin}</span>
                  </Link>
                ),
              },
              { title: t('sex'), dataIndex: 'sex', width: 60, render: (s: string) => label(s) },
              { title: t('birthDate'), dataIndex: 'birthDate', width: 110 },
              { title: t('idNumber'), dataIndex: 'idNumber', width: 180 },
              { title: t('place'), dataIndex: 'orgCode', render: (c: string) => nameOf(c) },
              { title: t('residenceType'), dataIndex: 'residenceType', render: (r: string) => label(r) },
              {
                title: t('status'),
                dataIndex: 'status',
                width: 80,
                render: (s: string) => <Tag color={s === 'active' ? 'green' : 'default'}>{label(s)}</Tag>,
              },
              {
                title: tr('匹配', 'Match'),
                dataIndex: 'match',
                width: 80,
                render: (m: string) => matchLabel[m] ?? m,
              },
            ]}
            footer={() => (
              <Space>
                <Button
                  size="small"
                  disabled={offset === 0}
                  onClick={() => setOffset(Math.max(0, offset - PAGE))}
                >
                  {tr('上一页', 'Previous')}
                </Button>
                <Button
                  size="small"
                  disabled={!result.data?.hasMore}
                  onClick={() => setOffset(offset + PAGE)}
                >
                  {tr('下一页', 'Next')}
                </Button>
              </Space>
            )}
          />
        </Card>
      )}
    </Space>
  );
}
