//===- Graphs.cpp - Stream capture, CUDA graphs, their replay -------------===//
//
// A capture records each operation queued on a capturing stream as a node
// depending on the stream's previous nodes; a stream that waits for an
// event recorded in the capture joins it (a fork) and must be joined back
// into the origin stream before cudaStreamEndCapture. Calls CUDA forbids
// during capture fail with its error and invalidate the capture, so
// cudaStreamEndCapture then fails too. A replay queues every node on one
// internal stream per captured stream (its lane), with the captured
// dependencies between lanes: the nodes run concurrently where CUDA's
// would, and read their buffers when they run.
//
//===----------------------------------------------------------------------===//

#include "Simulator.h"

#include <algorithm>

namespace alexnet::cudasim {

namespace {

std::vector<Capture *> &activeCaptures() {
  static auto *all = new std::vector<Capture *>;
  return *all;
}

std::set<CUgraph_st *> &liveGraphs() {
  static auto *all = new std::set<CUgraph_st *>;
  return *all;
}

std::set<CUgraphExec_st *> &liveExecs() {
  static auto *all = new std::set<CUgraphExec_st *>;
  return *all;
}

/// Ends `c` on every stream that joined it.
void detach(Capture *c) {
  for (CUstream_st *s : c->streams) {
    s->capture = nullptr;
    s->captureTail.clear();
  }
  auto &active = activeCaptures();
  active.erase(std::remove(active.begin(), active.end(), c), active.end());
}

} // namespace

int laneOf(Capture *c, CUstream_st *s) {
  for (size_t i = 0; i < c->streams.size(); ++i)
    if (c->streams[i] == s)
      return int(i);
  c->streams.push_back(s);
  return int(c->streams.size()) - 1;
}

void invalidateCapture(Capture *c, cudaError_t reason,
                       const std::string &what) {
  if (c->invalidated != cudaSuccess)
    return;
  c->invalidated = reason;
  report("stream capture invalidated by " + what + " (" +
         cudaGetErrorName(reason) +
         "): cudaStreamEndCapture will fail with "
         "cudaErrorStreamCaptureInvalidated");
}

cudaError_t checkCaptureSafe(const char *call) {
  std::thread::id me = std::this_thread::get_id();
  bool forbidden = false;
  for (Capture *c : activeCaptures())
    if ((c->thread == me && c->mode != cudaStreamCaptureModeRelaxed) ||
        c->mode == cudaStreamCaptureModeGlobal) {
      invalidateCapture(c, cudaErrorStreamCaptureUnsupported, call);
      forbidden = true;
    }
  if (forbidden)
    return fail(cudaErrorStreamCaptureUnsupported,
                std::string(call) + " while a stream capture is active");
  return cudaSuccess;
}

} // namespace alexnet::cudasim

using namespace alexnet::cudasim;

extern "C" {

cudaError_t cudaStreamBeginCapture(cudaStream_t handle,
                                   cudaStreamCaptureMode mode) {
  std::lock_guard<std::mutex> lock(simMutex());
  CUstream_st *s = resolveStream(handle);
  if (!s)
    return fail(cudaErrorInvalidResourceHandle);
  if (mode != cudaStreamCaptureModeGlobal &&
      mode != cudaStreamCaptureModeThreadLocal &&
      mode != cudaStreamCaptureModeRelaxed)
    return fail(cudaErrorInvalidValue);
  if (s->legacy)
    return fail(cudaErrorStreamCaptureUnsupported,
                "the legacy default stream cannot be captured");
  if (s->capture)
    return fail(cudaErrorIllegalState,
                "cudaStreamBeginCapture of a stream that is capturing");
  if (cudaError_t sticky = stickyError(s->device))
    return fail(sticky);
  auto *c = new Capture{s, mode, std::this_thread::get_id(), {}, {}, cudaSuccess};
  laneOf(c, s);
  s->capture = c;
  s->captureTail.clear();
  activeCaptures().push_back(c);
  return cudaSuccess;
}

cudaError_t cudaStreamIsCapturing(cudaStream_t handle,
                                  cudaStreamCaptureStatus *status) {
  std::lock_guard<std::mutex> lock(simMutex());
  CUstream_st *s = resolveStream(handle);
  if (!s || !status)
    return fail(!s ? cudaErrorInvalidResourceHandle : cudaErrorInvalidValue);
  *status = !s->capture ? cudaStreamCaptureStatusNone
            : s->capture->invalidated != cudaSuccess
                ? cudaStreamCaptureStatusInvalidated
                : cudaStreamCaptureStatusActive;
  return cudaSuccess;
}

cudaError_t cudaStreamEndCapture(cudaStream_t handle, cudaGraph_t *graph) {
  std::lock_guard<std::mutex> lock(simMutex());
  CUstream_st *s = resolveStream(handle);
  if (!s)
    return fail(cudaErrorInvalidResourceHandle);
  if (!graph)
    return fail(cudaErrorInvalidValue);
  Capture *c = s->capture;
  if (!c)
    return fail(cudaErrorIllegalState,
                "cudaStreamEndCapture of a stream that is not capturing");
  if (c->origin != s)
    return fail(cudaErrorStreamCaptureUnmatched,
                "cudaStreamEndCapture on a stream that joined the capture, "
                "not the one that began it");
  if (c->mode != cudaStreamCaptureModeRelaxed &&
      c->thread != std::this_thread::get_id())
    return fail(cudaErrorStreamCaptureWrongThread);
  *graph = nullptr;

  // Every forked stream's last nodes must lead into the origin's.
  std::vector<bool> reaches(c->nodes.size(), false);
  std::vector<int> stack = s->captureTail;
  while (!stack.empty()) {
    int n = stack.back();
    stack.pop_back();
    if (reaches[size_t(n)])
      continue;
    reaches[size_t(n)] = true;
    for (int m : c->nodes[size_t(n)].after)
      stack.push_back(m);
  }
  bool joined = true;
  for (CUstream_st *other : c->streams)
    for (int n : other->captureTail)
      joined = joined && reaches[size_t(n)];

  detach(c);
  forgetCapturedEvents(c);
  std::unique_ptr<Capture> owned(c);
  if (c->invalidated != cudaSuccess)
    return fail(cudaErrorStreamCaptureInvalidated,
                "cudaStreamEndCapture of a capture that failed (" +
                    std::string(cudaGetErrorName(c->invalidated)) + ")");
  if (!joined)
    return fail(cudaErrorStreamCaptureUnjoined,
                "a stream forked into the capture was not joined back into "
                "the stream that began it");
  auto *g = new CUgraph_st;
  g->nodes = std::move(c->nodes);
  for (CUstream_st *lane : c->streams)
    g->laneDevices.push_back(lane->device);
  liveGraphs().insert(g);
  *graph = g;
  return cudaSuccess;
}

cudaError_t cudaGraphDestroy(cudaGraph_t graph) {
  std::lock_guard<std::mutex> lock(simMutex());
  if (!liveGraphs().erase(graph))
    return fail(cudaErrorInvalidValue);
  delete graph;
  return cudaSuccess;
}

cudaError_t cudaGraphInstantiate(cudaGraphExec_t *exec, cudaGraph_t graph,
                                 unsigned long long flags) {
  std::lock_guard<std::mutex> lock(simMutex());
  if (!exec || !liveGraphs().count(graph) ||
      (flags & ~(unsigned long long)(cudaGraphInstantiateFlagAutoFreeOnLaunch |
                                     cudaGraphInstantiateFlagUpload |
                                     cudaGraphInstantiateFlagUseNodePriority)))
    return fail(cudaErrorInvalidValue);
  auto *x = new CUgraphExec_st;
  x->nodes = graph->nodes;
  for (int device : graph->laneDevices)
    x->lanes.push_back(createInternalStream(device));
  liveExecs().insert(x);
  *exec = x;
  return cudaSuccess;
}

cudaError_t cudaGraphLaunch(cudaGraphExec_t exec, cudaStream_t handle) {
  std::lock_guard<std::mutex> lock(simMutex());
  CUstream_st *s = resolveStream(handle);
  if (!s || !liveExecs().count(exec))
    return fail(cudaErrorInvalidResourceHandle);
  if (s->capture)
    return fail(cudaErrorNotSupported,
                "the simulator does not capture graph launches");
  if (cudaError_t sticky = stickyError(s->device))
    return fail(sticky);
  // Every lane starts after the stream's earlier work and after the
  // previous launch of this graph on every lane.
  std::vector<Dependency> start = {{s, s->submitted}};
  for (CUstream_st *lane : exec->lanes)
    start.push_back({lane, lane->submitted});
  for (CUstream_st *lane : exec->lanes) {
    Operation wait;
    wait.what = "cudaGraphLaunch";
    wait.device = lane->device;
    wait.after = start;
    submit(lane, std::move(wait));
  }
  std::vector<uint64_t> sequence(exec->nodes.size());
  for (size_t i = 0; i < exec->nodes.size(); ++i) {
    const GraphNode &node = exec->nodes[i];
    Operation op = node.op;
    op.after.clear();
    for (int m : node.after)
      op.after.push_back(
          {exec->lanes[size_t(exec->nodes[size_t(m)].lane)], sequence[size_t(m)]});
    CUstream_st *lane = exec->lanes[size_t(node.lane)];
    submit(lane, std::move(op));
    sequence[i] = lane->submitted;
  }
  Operation join;
  join.what = "cudaGraphLaunch";
  join.device = s->device;
  for (CUstream_st *lane : exec->lanes)
    join.after.push_back({lane, lane->submitted});
  return submit(s, std::move(join));
}

cudaError_t cudaGraphExecDestroy(cudaGraphExec_t exec) {
  std::unique_lock<std::mutex> lock(simMutex());
  if (!liveExecs().erase(exec))
    return fail(cudaErrorInvalidValue);
  for (CUstream_st *lane : exec->lanes)
    destroyStream(lock, lane);
  delete exec;
  return cudaSuccess;
}

} // extern "C"
