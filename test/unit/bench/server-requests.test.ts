import { describe, expect, it } from 'vitest';
import { costPerWrite, parseServerCounts } from '../../../tools/bench/server-requests';

const metrics = (heartbeats: number, completions: number, updates: number) =>
  [
    '# HELP service_requests service_requests counter',
    `service_requests{namespace="default",operation="RecordActivityTaskHeartbeat",service_name="frontend"} ${heartbeats}`,
    `service_requests{namespace="default",operation="RespondActivityTaskCompleted",service_name="frontend"} ${completions}`,
    // Another service's count and another namespace's are not the product's requests.
    `service_requests{namespace="default",operation="RecordActivityTaskHeartbeat",service_name="history"} 999`,
    `service_requests{namespace="_unknown_",operation="GetSystemInfo",service_name="frontend"} 7`,
    `persistence_requests{operation="UpdateWorkflowExecution",service_name="history"} ${updates}`,
    `persistence_requests{operation="GetTasks",service_name="matching"} 3`,
  ].join('\n');

describe('server requests per write', () => {
  it("reads the frontend's requests of the default namespace and every database call", () => {
    const counts = parseServerCounts(metrics(10, 20, 30));
    expect([...counts.frontend]).toEqual([
      ['RecordActivityTaskHeartbeat', 10],
      ['RespondActivityTaskCompleted', 20],
    ]);
    expect([...counts.persistence]).toEqual([
      ['UpdateWorkflowExecution', 30],
      ['GetTasks', 3],
    ]);
  });

  it('divides what happened between two readings by the writes, largest first', () => {
    const before = { ...parseServerCounts(metrics(10, 20, 30)), cpuMs: 1_000 };
    const after = { ...parseServerCounts(metrics(60, 220, 630)), cpuMs: 3_000 };
    expect(costPerWrite(before, after, 200)).toEqual({
      cpuMs: 10,
      requests: 1.25,
      persistence: 3,
      byOperation: { RespondActivityTaskCompleted: 1, RecordActivityTaskHeartbeat: 0.25 },
      persistenceByOperation: { UpdateWorkflowExecution: 3 },
    });
  });
});
