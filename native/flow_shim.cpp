// Tiny C ABI over Debian's OpenCV (4.6) for Deno.dlopen: dense optical flow (DIS, Farneback,
// TV-L1) and pyramidal Lucas-Kanade. Images are 8-bit grey, row-major, width*height bytes.
// Flow outputs are float32 u,v interleaved (width*height*2). Every function returns 0 on success
// and -1 on error; flow_last_error() then returns the message (valid until the next call).
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/video/tracking.hpp>
#ifdef FLOW_SHIM_TVL1
#include <opencv2/optflow.hpp>
#endif
#include <cstdint>
#include <cstring>
#include <exception>
#include <string>

static thread_local std::string g_error;

template <class F>
static int guarded(F&& f) {
  try {
    f();
    return 0;
  } catch (const std::exception& e) {
    g_error = e.what();
    return -1;
  } catch (...) {
    g_error = "unknown C++ exception";
    return -1;
  }
}

extern "C" {

const char* flow_last_error() { return g_error.c_str(); }

int flow_shim_version() { return 2; }

int flow_has_tvl1() {
#ifdef FLOW_SHIM_TVL1
  return 1;
#else
  return 0;
#endif
}

void flow_set_threads(int n) { cv::setNumThreads(n); }

static void copy_flow(const cv::Mat& flow, float* out, int w, int h) {
  cv::Mat dst(h, w, CV_32FC2, out);
  if (flow.type() != CV_32FC2 || flow.rows != h || flow.cols != w) {
    throw std::runtime_error("unexpected flow matrix shape");
  }
  flow.copyTo(dst);
}

// finest_scale < 0 keeps the preset's finest pyramid level (medium: 1, i.e. half resolution);
// 0 estimates at the input's full resolution.
int flow_dis(const uint8_t* a, const uint8_t* b, int w, int h, int preset, int finest_scale,
             float* out) {
  return guarded([&] {
    cv::Mat ma(h, w, CV_8UC1, const_cast<uint8_t*>(a));
    cv::Mat mb(h, w, CV_8UC1, const_cast<uint8_t*>(b));
    cv::Ptr<cv::DISOpticalFlow> dis = cv::DISOpticalFlow::create(preset);
    if (finest_scale >= 0) dis->setFinestScale(finest_scale);
    cv::Mat flow(h, w, CV_32FC2, out);
    dis->calc(ma, mb, flow);
    if (flow.data != reinterpret_cast<uchar*>(out)) copy_flow(flow, out, w, h);
  });
}

int flow_farneback(const uint8_t* a, const uint8_t* b, int w, int h, double pyr_scale,
                   int levels, int winsize, int iterations, int poly_n, double poly_sigma,
                   int flags, float* out) {
  return guarded([&] {
    cv::Mat ma(h, w, CV_8UC1, const_cast<uint8_t*>(a));
    cv::Mat mb(h, w, CV_8UC1, const_cast<uint8_t*>(b));
    cv::Mat flow(h, w, CV_32FC2, out);
    cv::calcOpticalFlowFarneback(ma, mb, flow, pyr_scale, levels, winsize, iterations, poly_n,
                                 poly_sigma, flags);
    if (flow.data != reinterpret_cast<uchar*>(out)) copy_flow(flow, out, w, h);
  });
}

int flow_tvl1(const uint8_t* a, const uint8_t* b, int w, int h, float* out) {
#ifdef FLOW_SHIM_TVL1
  return guarded([&] {
    cv::Mat ma(h, w, CV_8UC1, const_cast<uint8_t*>(a));
    cv::Mat mb(h, w, CV_8UC1, const_cast<uint8_t*>(b));
    cv::Ptr<cv::optflow::DualTVL1OpticalFlow> tv = cv::optflow::DualTVL1OpticalFlow::create();
    cv::Mat flow(h, w, CV_32FC2, out);
    tv->calc(ma, mb, flow);
    if (flow.data != reinterpret_cast<uchar*>(out)) copy_flow(flow, out, w, h);
  });
#else
  (void)a; (void)b; (void)w; (void)h; (void)out;
  g_error = "flow_shim was built without opencv_optflow (libopencv-contrib-dev): no TV-L1";
  return -1;
#endif
}

// Pyramidal Lucas-Kanade: pts_in/pts_out are n (x, y) float32 pairs; status[i] = 1 if found.
// If use_initial, pts_out holds the initial guesses on entry.
int flow_pyrlk(const uint8_t* a, const uint8_t* b, int w, int h, const float* pts_in, int n,
               float* pts_out, uint8_t* status, float* err, int win_size, int max_level,
               int use_initial) {
  return guarded([&] {
    cv::Mat ma(h, w, CV_8UC1, const_cast<uint8_t*>(a));
    cv::Mat mb(h, w, CV_8UC1, const_cast<uint8_t*>(b));
    cv::Mat p0(n, 1, CV_32FC2, const_cast<float*>(pts_in));
    cv::Mat p1(n, 1, CV_32FC2, pts_out);
    cv::Mat st(n, 1, CV_8UC1, status);
    cv::Mat er(n, 1, CV_32FC1, err);
    cv::TermCriteria crit(cv::TermCriteria::COUNT | cv::TermCriteria::EPS, 30, 0.01);
    cv::calcOpticalFlowPyrLK(ma, mb, p0, p1, st, er, cv::Size(win_size, win_size), max_level,
                             crit, use_initial ? cv::OPTFLOW_USE_INITIAL_FLOW : 0);
    if (p1.data != reinterpret_cast<uchar*>(pts_out)) {
      std::memcpy(pts_out, p1.ptr<float>(), sizeof(float) * 2 * n);
    }
    if (st.data != status) std::memcpy(status, st.ptr<uint8_t>(), n);
    if (er.data != reinterpret_cast<uchar*>(err)) std::memcpy(err, er.ptr<float>(), sizeof(float) * n);
  });
}

}  // extern "C"
