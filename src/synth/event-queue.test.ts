import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventQueue } from './event-queue.ts';
import { Rng } from './rng.ts';

describe('event queue', () => {
  it('pops by day, and same-day events in the order they were pushed', () => {
    const queue = new EventQueue(4);
    const rng = new Rng(1, 'queue');
    const pushed: Array<[number, number]> = [];
    for (let i = 0; i < 5000; i++) {
      const day = 17_000 + rng.int(50);
      queue.push(day, 1 + (i % 7), i);
      pushed.push([day, i]);
    }
    pushed.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    for (const [day, subject] of pushed) {
      assert.equal(queue.peekDay(), day);
      queue.pop();
      assert.deepEqual([queue.lastDay, queue.lastSubject, queue.lastKind], [day, subject, 1 + (subject % 7)]);
    }
    assert.equal(queue.size, 0);
    assert.equal(queue.peekDay(), Number.POSITIVE_INFINITY);
  });
});
