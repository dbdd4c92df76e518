import type * as nb from 'nabla';

/**
 * A fit callback that times every epoch: `seconds` fills as training goes, and `onEpoch`
 * (optional) hears each epoch's logs and duration.
 */
export function epochTimer(onEpoch?: (epoch: number, logs: Record<string, number>, seconds: number) => void): {
  callback: nb.callbacks.Callback;
  seconds: number[];
} {
  const seconds: number[] = [];
  let start = performance.now();
  const callback: nb.callbacks.Callback = {
    onEpochBegin: () => { start = performance.now(); },
    onEpochEnd: (epoch, logs) => {
      const s = (performance.now() - start) / 1000;
      seconds.push(s);
      onEpoch?.(epoch, logs, s);
    },
  };
  return { callback, seconds };
}
