//===- Streams.cpp - Streams, their workers, events -----------------------===//
//
// Each stream is a FIFO worked off by its own host thread, so two streams'
// operations really run at the same time and a missing cudaStreamWaitEvent
// is a real data race (ThreadSanitizer reports it). The legacy default
// stream (stream 0) orders itself with every blocking stream of its device,
// as CUDA defines; cudaStreamNonBlocking streams do not.
//
//
// Under ThreadSanitizer the simulator's own locking would order every two
// streams' operations (both workers take its lock) and hide the races it is
// there to show. So in a TSan build a worker's own work is invisible to
// TSan, and the orderings CUDA defines are told to it instead: each
// operation happens after its dependencies and after the host call that
// queued it, and a host call that waits happens after what it waited for.
//
//===----------------------------------------------------------------------===//

#include "Simulator.h"

#include <algorithm>
#include <chrono>

#ifdef ALEXNET_CUDASIM_TSAN
extern "C" {
void AnnotateHappensBefore(const char *file, int line, const volatile void *);
void AnnotateHappensAfter(const char *file, int line, const volatile void *);
void AnnotateIgnoreSyncBegin(const char *file, int line);
void AnnotateIgnoreSyncEnd(const char *file, int line);
void AnnotateIgnoreReadsBegin(const char *file, int line);
void AnnotateIgnoreReadsEnd(const char *file, int line);
void AnnotateIgnoreWritesBegin(const char *file, int line);
void AnnotateIgnoreWritesEnd(const char *file, int line);
}
#endif

namespace alexnet::cudasim {

namespace {

#ifdef ALEXNET_CUDASIM_TSAN
/// The happens-before token of operation `sequence` (1-based) of `s`, or
/// null for none (lock held).
const char *token(CUstream_st *s, uint64_t sequence) {
  if (!sequence)
    return nullptr;
  while (s->tokens.size() < sequence)
    s->tokens.push_back(std::make_unique<char>());
  return s->tokens[sequence - 1].get();
}
void release(const char *t) {
  if (t)
    AnnotateHappensBefore(__FILE__, __LINE__, t);
}
void acquire(const char *t) {
  if (t)
    AnnotateHappensAfter(__FILE__, __LINE__, t);
}
/// TSan does not see what the calling thread does meanwhile.
void beginInvisible() {
  AnnotateIgnoreSyncBegin(__FILE__, __LINE__);
  AnnotateIgnoreReadsBegin(__FILE__, __LINE__);
  AnnotateIgnoreWritesBegin(__FILE__, __LINE__);
}
void endInvisible() {
  AnnotateIgnoreWritesEnd(__FILE__, __LINE__);
  AnnotateIgnoreReadsEnd(__FILE__, __LINE__);
  AnnotateIgnoreSyncEnd(__FILE__, __LINE__);
}
#else
const char *token(CUstream_st *, uint64_t) { return nullptr; }
void release(const char *) {}
void acquire(const char *) {}
void beginInvisible() {}
void endInvisible() {}
#endif

std::set<CUstream_st *> &liveStreams() {
  static auto *all = new std::set<CUstream_st *>;
  return *all;
}

std::vector<CUstream_st *> &legacyStreams() {
  static auto *all =
      new std::vector<CUstream_st *>(size_t(config().devices), nullptr);
  return *all;
}

std::set<CUevent_st *> &liveEvents() {
  static auto *all = new std::set<CUevent_st *>;
  return *all;
}

double nowMs() {
  using namespace std::chrono;
  return duration<double, std::milli>(steady_clock::now().time_since_epoch())
      .count();
}

/// xorshift64*: the random-delay mode's per-stream generator.
uint64_t nextRandom(uint64_t &state) {
  state ^= state >> 12;
  state ^= state << 25;
  state ^= state >> 27;
  return state * 2685821657736338717ull;
}

void work(CUstream_st *s) {
  beginInvisible();
  std::unique_lock<std::mutex> lock(simMutex());
  for (;;) {
    progress().wait(lock, [&] { return s->stopping || !s->queue.empty(); });
    if (s->queue.empty())
      break;
    Operation op = std::move(s->queue.front());
    s->queue.pop_front();
    // What it happens after: the host call that queued it, and its
    // dependencies.
    uint64_t sequence = s->completed + 1;
    const char *done = token(s, sequence);
    std::vector<const char *> after = {done};
    for (const Dependency &d : op.after) {
      waitFor(lock, d);
      after.push_back(token(d.stream, d.sequence));
    }
    bool skip = stickyError(op.device) != cudaSuccess;
    uint64_t delayUs = config().delay ? nextRandom(s->delayState) % 300 : 0;
    lock.unlock();
    if (delayUs)
      std::this_thread::sleep_for(std::chrono::microseconds(delayUs));
    endInvisible();
    for (const char *t : after)
      acquire(t);
    cudaError_t e = skip || !op.body ? cudaSuccess : op.body();
    op.body = nullptr; // its captures die here, seen by TSan
    release(done);
    beginInvisible();
    lock.lock();
    if (e != cudaSuccess)
      setStickyError(op.device, e, op.what);
    ++s->completed;
    progress().notify_all();
  }
  lock.unlock();
  endInvisible();
}

CUstream_st *createStream(int device, bool blocking, bool legacy,
                          bool internal) {
  auto *s = new CUstream_st;
  s->device = device;
  s->blocking = blocking;
  s->legacy = legacy;
  s->internal = internal;
  static uint64_t streamsMade = 0;
  s->delayState = (config().delaySeed ^ (++streamsMade * 0x9e3779b97f4a7c15ull))
                  | 1;
  liveStreams().insert(s);
  s->worker = std::thread(work, s);
  return s;
}

CUstream_st *legacyStream(int device) {
  CUstream_st *&s = legacyStreams()[size_t(device)];
  if (!s)
    s = createStream(device, true, true, false);
  return s;
}

CUevent_st *liveEvent(cudaEvent_t e) {
  return liveEvents().count(e) ? e : nullptr;
}

bool eventDone(const CUevent_st *e) {
  return !e->stream || e->stream->completed >= e->sequence;
}

} // namespace

CUstream_st *resolveStream(cudaStream_t handle) {
  if (handle == nullptr || handle == cudaStreamLegacy)
    return validDevice(currentDevice()) ? legacyStream(currentDevice())
                                        : nullptr;
  return liveStreams().count(handle) ? handle : nullptr;
}

CUstream_st *createInternalStream(int device) {
  return createStream(device, false, false, true);
}

cudaError_t submit(CUstream_st *stream, Operation op) {
  if (Capture *c = stream->capture) {
    if (c->invalidated != cudaSuccess)
      return fail(cudaErrorStreamCaptureInvalidated,
                  op.what + " on a stream whose capture failed earlier");
    GraphNode node{std::move(op), laneOf(c, stream), stream->captureTail};
    c->nodes.push_back(std::move(node));
    stream->captureTail = {int(c->nodes.size()) - 1};
    return cudaSuccess;
  }
  if (stream->legacy) {
    for (CUstream_st *b : liveStreams())
      if (b->device == stream->device && b->blocking && !b->legacy &&
          !b->internal && b->capture) {
        invalidateCapture(b->capture, cudaErrorStreamCaptureImplicit,
                          op.what + " on the legacy default stream");
        return fail(cudaErrorStreamCaptureImplicit,
                    op.what + " on the legacy default stream of GPU " +
                        std::to_string(stream->device) +
                        " while a blocking stream of it is capturing");
      }
    for (CUstream_st *b : liveStreams())
      if (b->device == stream->device && b->blocking && !b->legacy &&
          !b->internal)
        op.after.push_back({b, b->submitted});
  } else if (stream->blocking && !stream->internal) {
    CUstream_st *legacy = legacyStream(stream->device);
    op.after.push_back({legacy, legacy->submitted});
  }
  if (config().serial) // everything the host issued before, on any stream
    for (CUstream_st *s : liveStreams())
      if (s != stream)
        op.after.push_back({s, s->submitted});
  stream->queue.push_back(std::move(op));
  ++stream->submitted;
  release(token(stream, stream->submitted));
  progress().notify_all();
  return cudaSuccess;
}

void waitFor(std::unique_lock<std::mutex> &lock, const Dependency &d) {
  progress().wait(lock, [&] { return d.stream->completed >= d.sequence; });
  acquire(token(d.stream, d.sequence));
}

void drainDevice(std::unique_lock<std::mutex> &lock, int device) {
  std::vector<Dependency> ends;
  for (CUstream_st *s : liveStreams())
    if (s->device == device)
      ends.push_back({s, s->submitted});
  for (const Dependency &d : ends)
    waitFor(lock, d);
}

void destroyStream(std::unique_lock<std::mutex> &lock, CUstream_st *s) {
  liveStreams().erase(s);
  s->stopping = true;
  progress().notify_all();
  lock.unlock();
  s->worker.join();
  lock.lock();
  // Events last recorded on it stay complete.
  for (CUevent_st *e : liveEvents())
    if (e->stream == s)
      e->stream = nullptr;
  delete s;
}

void resetStreams(std::unique_lock<std::mutex> &lock, int device) {
  std::vector<CUstream_st *> doomed;
  for (CUstream_st *s : liveStreams())
    if (s->device == device && !s->internal)
      doomed.push_back(s);
  for (CUstream_st *s : doomed)
    destroyStream(lock, s);
  legacyStreams()[size_t(device)] = nullptr;
  std::vector<CUevent_st *> events;
  for (CUevent_st *e : liveEvents())
    if (e->device == device)
      events.push_back(e);
  for (CUevent_st *e : events) {
    liveEvents().erase(e);
    delete e;
  }
}

void forgetCapturedEvents(Capture *capture) {
  for (CUevent_st *e : liveEvents())
    if (e->capture == capture) {
      e->capture = nullptr;
      e->captureNodes.clear();
    }
}

} // namespace alexnet::cudasim

using namespace alexnet::cudasim;

extern "C" {

cudaError_t cudaStreamCreateWithFlags(cudaStream_t *stream,
                                      unsigned int flags) {
  std::lock_guard<std::mutex> lock(simMutex());
  if (!stream || (flags & ~unsigned(cudaStreamNonBlocking)))
    return fail(cudaErrorInvalidValue);
  if (!config().devices)
    return fail(cudaErrorNoDevice);
  if (cudaError_t sticky = stickyError(currentDevice()))
    return fail(sticky);
  *stream = createStream(currentDevice(), !(flags & cudaStreamNonBlocking),
                         false, false);
  return cudaSuccess;
}

cudaError_t cudaStreamCreate(cudaStream_t *stream) {
  return cudaStreamCreateWithFlags(stream, cudaStreamDefault);
}

cudaError_t cudaStreamDestroy(cudaStream_t handle) {
  std::unique_lock<std::mutex> lock(simMutex());
  if (!handle || handle == cudaStreamLegacy || !liveStreams().count(handle) ||
      handle->legacy || handle->internal)
    return fail(cudaErrorInvalidResourceHandle,
                "cudaStreamDestroy of a stream that does not exist");
  if (handle->capture)
    invalidateCapture(handle->capture, cudaErrorStreamCaptureInvalidated,
                      "cudaStreamDestroy of a capturing stream");
  destroyStream(lock, handle);
  return cudaSuccess;
}

cudaError_t cudaStreamSynchronize(cudaStream_t handle) {
  std::unique_lock<std::mutex> lock(simMutex());
  CUstream_st *s = resolveStream(handle);
  if (!s)
    return fail(cudaErrorInvalidResourceHandle,
                "cudaStreamSynchronize of a stream that does not exist");
  if (s->capture) {
    invalidateCapture(s->capture, cudaErrorStreamCaptureUnsupported,
                      "cudaStreamSynchronize");
    return fail(cudaErrorStreamCaptureUnsupported,
                "cudaStreamSynchronize of a capturing stream");
  }
  if (s->legacy)
    if (cudaError_t e = checkCaptureSafe("cudaStreamSynchronize(0)"))
      return e;
  waitFor(lock, {s, s->submitted});
  cudaError_t sticky = stickyError(s->device);
  return sticky != cudaSuccess ? fail(sticky) : cudaSuccess;
}

cudaError_t cudaStreamQuery(cudaStream_t handle) {
  std::lock_guard<std::mutex> lock(simMutex());
  CUstream_st *s = resolveStream(handle);
  if (!s)
    return fail(cudaErrorInvalidResourceHandle);
  if (s->capture) {
    invalidateCapture(s->capture, cudaErrorStreamCaptureUnsupported,
                      "cudaStreamQuery");
    return fail(cudaErrorStreamCaptureUnsupported);
  }
  if (cudaError_t sticky = stickyError(s->device))
    return fail(sticky);
  return s->completed >= s->submitted ? cudaSuccess : cudaErrorNotReady;
}

cudaError_t cudaStreamWaitEvent(cudaStream_t handle, cudaEvent_t event,
                                unsigned int flags) {
  std::lock_guard<std::mutex> lock(simMutex());
  CUstream_st *s = resolveStream(handle);
  CUevent_st *e = liveEvent(event);
  if (!s || !e)
    return fail(cudaErrorInvalidResourceHandle,
                "cudaStreamWaitEvent with a stream or event that does not "
                "exist");
  if (flags != 0)
    return fail(cudaErrorInvalidValue);
  if (cudaError_t sticky = stickyError(s->device))
    return fail(sticky);
  if (e->capture) {
    Capture *c = e->capture;
    if (s->capture && s->capture != c) {
      invalidateCapture(s->capture, cudaErrorStreamCaptureMerge,
                        "cudaStreamWaitEvent");
      return fail(cudaErrorStreamCaptureMerge,
                  "cudaStreamWaitEvent joins two separate captures");
    }
    if (c->invalidated != cudaSuccess)
      return fail(cudaErrorStreamCaptureInvalidated);
    if (!s->capture) { // the stream joins the capture (a fork)
      s->capture = c;
      s->captureTail.clear();
      laneOf(c, s);
    }
    for (int n : e->captureNodes)
      if (std::find(s->captureTail.begin(), s->captureTail.end(), n) ==
          s->captureTail.end())
        s->captureTail.push_back(n);
    return cudaSuccess;
  }
  if (s->capture && e->stream) {
    invalidateCapture(s->capture, cudaErrorStreamCaptureIsolation,
                      "cudaStreamWaitEvent");
    return fail(cudaErrorStreamCaptureIsolation,
                "a capturing stream waits for an event recorded outside the "
                "capture");
  }
  if (!e->stream || s->capture)
    return cudaSuccess; // never recorded: nothing to wait for
  Operation op;
  op.what = "cudaStreamWaitEvent";
  op.device = s->device;
  op.after.push_back({e->stream, e->sequence});
  return submit(s, std::move(op));
}

cudaError_t cudaEventCreateWithFlags(cudaEvent_t *event, unsigned int flags) {
  std::lock_guard<std::mutex> lock(simMutex());
  if (!event || (flags & ~unsigned(cudaEventBlockingSync |
                                   cudaEventDisableTiming)))
    return fail(cudaErrorInvalidValue);
  if (!config().devices)
    return fail(cudaErrorNoDevice);
  if (cudaError_t sticky = stickyError(currentDevice()))
    return fail(sticky);
  auto *e = new CUevent_st;
  e->device = currentDevice();
  e->flags = flags;
  liveEvents().insert(e);
  *event = e;
  return cudaSuccess;
}

cudaError_t cudaEventCreate(cudaEvent_t *event) {
  return cudaEventCreateWithFlags(event, cudaEventDefault);
}

cudaError_t cudaEventDestroy(cudaEvent_t event) {
  std::lock_guard<std::mutex> lock(simMutex());
  CUevent_st *e = liveEvent(event);
  if (!e)
    return fail(cudaErrorInvalidResourceHandle,
                "cudaEventDestroy of an event that does not exist");
  liveEvents().erase(e);
  delete e;
  return cudaSuccess;
}

cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t handle) {
  std::lock_guard<std::mutex> lock(simMutex());
  CUstream_st *s = resolveStream(handle);
  CUevent_st *e = liveEvent(event);
  if (!s || !e)
    return fail(cudaErrorInvalidResourceHandle,
                "cudaEventRecord with a stream or event that does not exist");
  if (e->device != s->device)
    return fail(cudaErrorInvalidResourceHandle,
                "cudaEventRecord of an event of GPU " +
                    std::to_string(e->device) + " on a stream of GPU " +
                    std::to_string(s->device));
  if (cudaError_t sticky = stickyError(s->device))
    return fail(sticky);
  if (Capture *c = s->capture) {
    if (c->invalidated != cudaSuccess)
      return fail(cudaErrorStreamCaptureInvalidated);
    e->capture = c;
    e->captureNodes = s->captureTail;
    e->stream = nullptr;
    return cudaSuccess;
  }
  auto when = std::make_shared<double>(-1);
  Operation op;
  op.what = "cudaEventRecord";
  op.device = s->device;
  op.body = [when]() -> cudaError_t {
    *when = nowMs();
    return cudaSuccess;
  };
  if (cudaError_t err = submit(s, std::move(op)))
    return err;
  e->capture = nullptr;
  e->captureNodes.clear();
  e->stream = s;
  e->sequence = s->submitted;
  e->when = when;
  return cudaSuccess;
}

cudaError_t cudaEventQuery(cudaEvent_t event) {
  std::lock_guard<std::mutex> lock(simMutex());
  CUevent_st *e = liveEvent(event);
  if (!e)
    return fail(cudaErrorInvalidResourceHandle);
  if (e->capture)
    return fail(cudaErrorCapturedEvent);
  return eventDone(e) ? cudaSuccess : cudaErrorNotReady;
}

cudaError_t cudaEventSynchronize(cudaEvent_t event) {
  std::unique_lock<std::mutex> lock(simMutex());
  CUevent_st *e = liveEvent(event);
  if (!e)
    return fail(cudaErrorInvalidResourceHandle);
  if (e->capture)
    return fail(cudaErrorCapturedEvent,
                "cudaEventSynchronize of an event recorded in a capture");
  if (e->stream)
    waitFor(lock, {e->stream, e->sequence});
  cudaError_t sticky = stickyError(e->device);
  return sticky != cudaSuccess ? fail(sticky) : cudaSuccess;
}

cudaError_t cudaEventElapsedTime(float *ms, cudaEvent_t start,
                                 cudaEvent_t end) {
  std::lock_guard<std::mutex> lock(simMutex());
  CUevent_st *a = liveEvent(start), *b = liveEvent(end);
  if (!ms)
    return fail(cudaErrorInvalidValue);
  if (!a || !b || a->device != b->device ||
      ((a->flags | b->flags) & cudaEventDisableTiming) || !a->when || !b->when)
    return fail(cudaErrorInvalidResourceHandle,
                "cudaEventElapsedTime needs two recorded events of one GPU "
                "made without cudaEventDisableTiming");
  if (a->capture || b->capture)
    return fail(cudaErrorCapturedEvent);
  if (!eventDone(a) || !eventDone(b))
    return cudaErrorNotReady;
  *ms = float(*b->when - *a->when);
  return cudaSuccess;
}

} // extern "C"
