import { TreeSelect } from 'antd';
import { useMemo } from 'react';
import { useI18n } from '../i18n.tsx';
import { type OrgNode, useSelection } from '../selection.tsx';

interface TreeItem {
  value: string;
  title: string;
  children: TreeItem[];
}

function toItems(nodes: OrgNode[]): TreeItem[] {
  return nodes.map((node) => ({ value: node.code, title: node.name, children: toItems(node.children) }));
}

/** The unit the pages show: county, township or village, searchable by name. */
export function UnitPicker() {
  const { unit, setUnit, tree } = useSelection();
  const { t } = useI18n();
  const treeData = useMemo(() => toItems(tree), [tree]);
  return (
    <TreeSelect
      aria-label={t('unit')}
      className="unit-picker"
      style={{ width: 220 }}
      value={treeData.length ? unit : undefined}
      loading={treeData.length === 0}
      treeData={treeData}
      treeDefaultExpandedKeys={tree.map((node) => node.code)}
      showSearch={{ treeNodeFilterProp: 'title' }}
      popupMatchSelectWidth={280}
      onChange={(value: string) => value && setUnit(value)}
      placeholder={t('unit')}
    />
  );
}
