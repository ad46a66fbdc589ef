/**
 * aws-local-stepfunctions 3 calls Promise.withResolvers, which Node 20 lacks: without this every Task
 * fails with a TypeError that a Catch would silently turn into a failed job. Import it first.
 */
const promiseConstructor = Promise as unknown as { withResolvers?: () => unknown };
if (typeof promiseConstructor.withResolvers !== 'function') {
  promiseConstructor.withResolvers = function withResolvers<T>() {
    let resolve!: (value: T | PromiseLike<T>) => void;
    let reject!: (reason?: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}
export {};
