import type { Database } from '../db/database.ts';
import { text } from '../domain/i18n.ts';
import type { Period } from '../domain/period.ts';
import type { FigureSet } from './figures.ts';
import type { NextYearTargetsInput, QualityInput, ReportUnit, TargetsInput } from './model.ts';

/**
 * The seams to the targets module (src/targets/) and the data-quality module (src/quality/):
 * the report asks these three functions for its "targets" and "problems" inputs and nothing
 * else. Until those modules provide target sheets and the four rates, they answer `none`, and
 * the report says 无目标 / 无数据 — it never invents a target or a rate.
 */

export interface TargetsRequest {
  unit: ReportUnit;
  children: ReportUnit[];
  period: Period;
  /** The report's figures by unit code, so a target is held against the very figure printed. */
  figures: Map<string, FigureSet>;
}

/** The target sheets of the report unit and its sub-units for the period's year, with figures. */
export async function loadTargetsInput(_database: Database, request: TargetsRequest): Promise<TargetsInput> {
  return {
    status: 'none',
    year: Number(request.period.start.slice(0, 4)),
    reason: text('目标管理模块尚未提供目标责任书', 'The targets module provides no target sheets yet'),
  };
}

/** Next year's targets of the report unit (四、下一步工作打算). */
export async function loadNextYearTargets(
  _database: Database,
  request: { unit: ReportUnit; year: number },
): Promise<NextYearTargetsInput> {
  return { year: request.year, targets: null };
}

/** Data-quality findings (入库率、完整率、准确率) of the unit and its sub-units. */
export async function loadQualityInput(
  _database: Database,
  _request: { unit: ReportUnit; children: ReportUnit[]; period: Period },
): Promise<QualityInput> {
  return {
    status: 'none',
    reason: text('数据质量模块尚未提供四率', 'The data-quality module provides no rates yet'),
  };
}
