import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SingleFlight } from './single-flight.js';

test('a call while a task is in flight shares its promise and starts nothing new', async () => {
  const flight = new SingleFlight<number>();
  let started = 0;
  let release!: (value: number) => void;
  const task = () => {
    started += 1;
    return new Promise<number>((resolve) => (release = resolve));
  };
  const first = flight.run(task);
  const second = flight.run(task);
  assert.equal(first, second);
  assert.equal(flight.current, first);
  release(7);
  assert.deepEqual(await Promise.all([first, second]), [7, 7]);
  assert.equal(started, 1);
  assert.equal(flight.current, null);
});

test('a failed task frees the slot for the next call', async () => {
  const flight = new SingleFlight<number>();
  await assert.rejects(
    flight.run(() => Promise.reject(new Error('boom'))),
    /boom/,
  );
  assert.equal(await flight.run(() => Promise.resolve(1)), 1);
});
