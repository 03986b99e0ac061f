// The training worker's entry: the WebGPU guard, then the worker's wasm (trunk's loader).
//
// A browser reports most WebGPU failures asynchronously and out of band: a shader or pipeline
// it rejects, a validation error, running out of memory, or losing the device. burn's wgpu
// runtime (cubecl) does not hand those to the code that asked for the work: on the web a
// kernel whose shader was rejected silently returns stale data, and cubecl's own handler for
// uncaptured errors panics, which kills the wasm instance in the middle of a callback. So this
// guard, loaded before the wasm, watches every WebGPU device the worker opens and records each
// failure; the worker (app/src/workers/trainer/gpu_guard.rs) reads the record between
// training steps and never keeps a result from a device that reported one.
//
// - `uncapturederror` events (validation, out-of-memory, internal) are recorded;
// - `device.lost` is recorded, whatever the reason;
// - each shader module's compilation messages (`getCompilationInfo`) are recorded when they
//   hold an error, with the kernel's entry point, so the WGSL error text is never lost;
// - assignments to `device.onuncapturederror` are ignored: that handler would be cubecl's,
//   which panics (and aborts the worker's wasm) on the first error. The guard's listener
//   takes its place.
//
// The record lives in `self.afinaGpuGuard`: `faults` (a list of {kind, message}), `report(kind,
// message)` (the worker's logger adds wgpu's and cubecl's error logs) and `settle()` (a promise
// that resolves once every device has finished the work submitted so far and the errors it
// raised have been delivered).
'use strict';

(() => {
  /** Faults kept at most (the first ones explain the rest). */
  const MAX_FAULTS = 50;
  /** Characters kept of one fault's message. */
  const MAX_MESSAGE = 4000;
  const faults = [];
  const devices = new Set();

  function report(kind, message) {
    const text = String(message ?? '').slice(0, MAX_MESSAGE);
    console.error(`[afina WebGPU guard] ${kind}: ${text}`);
    if (faults.length < MAX_FAULTS) faults.push({ kind, message: text });
  }

  /** The kind of a `GPUError`: out-of-memory, validation or internal. */
  function errorKind(error) {
    if (typeof GPUOutOfMemoryError !== 'undefined' && error instanceof GPUOutOfMemoryError) return 'out-of-memory';
    if (typeof GPUInternalError !== 'undefined' && error instanceof GPUInternalError) return 'internal';
    return 'validation';
  }

  /** The compute entry point a WGSL module declares (cubecl names it after the kernel). */
  function entryPoint(code) {
    const match = /@compute[^]*?\bfn\s+([A-Za-z0-9_]+)/u.exec(String(code ?? ''));
    return match ? match[1] : 'shader';
  }

  function watch(device) {
    devices.add(device);
    device.addEventListener('uncapturederror', (event) => {
      event.preventDefault();
      report(errorKind(event.error), event.error?.message ?? String(event.error));
    });
    device.lost.then((info) => {
      devices.delete(device);
      report('lost', `${info.reason}${info.message ? `: ${info.message}` : ''}`);
    });
    Object.defineProperty(device, 'onuncapturederror', {
      configurable: true,
      get: () => null,
      set: () => {},
    });
    const createShaderModule = device.createShaderModule;
    device.createShaderModule = function guardedCreateShaderModule(descriptor) {
      const module = createShaderModule.call(this, descriptor);
      if (typeof module?.getCompilationInfo === 'function') {
        module.getCompilationInfo().then(
          (info) => {
            const errors = [...info.messages].filter((message) => message.type === 'error');
            if (errors.length > 0) {
              const lines = errors.map((message) => `${message.lineNum}:${message.linePos}: ${message.message}`);
              report('shader', `${entryPoint(descriptor?.code)}: ${lines.join('; ')}`);
            }
          },
          (error) => report('shader', `${entryPoint(descriptor?.code)}: ${error}`),
        );
      }
      return module;
    };
  }

  self.afinaGpuGuard = {
    faults,
    report,
    async settle() {
      for (const device of [...devices]) {
        try {
          await device.queue.onSubmittedWorkDone();
        } catch (error) {
          report('lost', String(error));
        }
      }
      // Errors raised by that work are delivered as tasks: let them run first.
      await new Promise((resolve) => setTimeout(resolve, 0));
      return faults.length;
    },
  };

  if (typeof GPUAdapter !== 'undefined') {
    const requestDevice = GPUAdapter.prototype.requestDevice;
    GPUAdapter.prototype.requestDevice = async function guardedRequestDevice(descriptor) {
      const device = await requestDevice.call(this, descriptor);
      watch(device);
      return device;
    };
  }
})();

importScripts('./worker_loader.js');
