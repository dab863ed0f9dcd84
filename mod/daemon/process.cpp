// process.cpp - see process.h.
#include "daemon/process.h"

#include "base/boundary.h"
#include "daemon/channel.h"
#include "daemon/daemon_transport.h"
#include "features/interpreter_options.h"
#include "features/pickle_diagnostics.h"
#include "features/pickle_resolve.h"
#include "pipeline/application.h"
#include "pipeline/request_scope.h"
#include "pipeline/scripts.h"
#include "pipeline/setup.h"
#include "runtime/runtime.h"

#include <ap_listen.h>
#include <scoreboard.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <csignal>
#include <cstring>
#include <deque>
#include <grp.h>
#include <memory>
#include <mutex>
#include <pthread.h>
#include <pwd.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <unordered_map>

// CPython's stack dumpers: written for fatal-error handlers, they read a
// thread's frames without the GIL (best effort, as faulthandler does).
extern "C" {
void _Py_DumpTraceback(int fd, PyThreadState* tstate);
const char* _Py_DumpTracebackThreads(int fd, PyInterpreterState* interp, PyThreadState* current);
}

namespace wsgi {

namespace {

constexpr int kHelloTimeoutMs = 3000;  // a child sends its hello with its first request
constexpr int kRestartRequested = -1000;  // a changed script: the process restarts
constexpr apr_time_t kCloseGrace = apr_time_from_sec(1);  // an idle connection told 'C' is closed after this

const char* g_group_name = "?";  // this daemon process's group, for fail_start()

// Fork-bomb guard: a process that cannot start waits before exiting, so
// the parent restarts it a few times a minute, not thousands.
[[noreturn]] void fail_start(const LogTarget& log, const char* what, int err)
{
    log_fmt(log, APLOG_CRIT, "WSGIS0603", "daemon process %d of group '%s' could not start: %s%s%s; retrying in 5 s",
            getpid(), g_group_name, what, err ? ": " : "", err ? std::strerror(err) : "");
    sleep(5);
    _exit(static_cast<int>(Retirement::kStartFailed));
}

// ps shows the title in the place of Apache's command line (as long as
// that was), and the thread name in top.
void set_title(process_rec* process, const std::string& title)
{
    if (title.empty() || process->argc < 1) return;
    char* start = const_cast<char*>(process->argv[0]);
    const char* last = process->argv[process->argc - 1];
    const char* end = last + strlen(last);
    // httpd drops words it consumed ("-k start") from argv; their bytes
    // follow the last argument, up to where the environment's strings begin.
    const char* env_start = nullptr;
    for (char** e = environ; e && *e; ++e)
        if (*e > end && (!env_start || *e < env_start)) env_start = *e;
    while (env_start && end + 1 < env_start && end[1] != '\0') {
        const char* next_end = end + 1 + strlen(end + 1);
        if (next_end >= env_start) break;
        end = next_end;
    }
    std::size_t room = static_cast<std::size_t>(end - start);
    std::memset(start, 0, room);
    std::memcpy(start, title.data(), std::min(room, title.size()));
    prctl(PR_SET_NAME, title.c_str());
}

void drop_privileges(const DaemonGroup& g, const LogTarget& log)
{
    if (geteuid() != 0) return;  // not started as root: the user Apache runs as
    if (!g.supplementary.empty()) {
        if (setgroups(g.supplementary.size(), g.supplementary.data()) < 0) fail_start(log, "setgroups()", errno);
    } else {
        struct passwd* pw = getpwuid(g.uid);
        if (!pw || initgroups(pw->pw_name, g.gid) < 0) {
            if (setgroups(0, nullptr) < 0) fail_start(log, "setgroups()", errno);
        }
    }
    if (setgid(g.gid) < 0) fail_start(log, "setgid()", errno);
    if (setuid(g.uid) < 0) fail_start(log, "setuid()", errno);
}

// The environment says who the process is (as mod_wsgi): HOME is the
// user's home, and USER, LOGNAME, USERNAME, where Apache's environment had
// them, the user's name.
void set_user_environment()
{
    struct passwd* pw = getpwuid(getuid());
    if (!pw) return;
    if (pw->pw_dir) setenv("HOME", pw->pw_dir, 1);
    for (const char* var : {"USER", "LOGNAME", "USERNAME"})
        if (getenv(var)) setenv(var, pw->pw_name, 1);
}

void set_limits(const DaemonOptions& o, const LogTarget& log)
{
    auto limit = [&](int what, rlim_t soft, rlim_t hard, const char* name) {
        struct rlimit rl = {soft, hard};
        if (setrlimit(what, &rl) < 0) fail_start(log, name, errno);
    };
    if (o.cpu_time_limit > 0) {
        // SIGXCPU at the limit retires the process; the hard limit leaves it
        // time to finish its requests first.
        rlim_t soft = static_cast<rlim_t>(o.cpu_time_limit);
        limit(RLIMIT_CPU, soft, soft + static_cast<rlim_t>(o.graceful_timeout + o.shutdown_timeout + 10),
              "setrlimit(RLIMIT_CPU)");
    }
    if (o.virtual_memory_limit > 0)
        limit(RLIMIT_AS, static_cast<rlim_t>(o.virtual_memory_limit), static_cast<rlim_t>(o.virtual_memory_limit),
              "setrlimit(RLIMIT_AS)");
    if (o.cpu_priority && setpriority(PRIO_PROCESS, 0, *o.cpu_priority) < 0)
        fail_start(log, "setpriority()", errno);
}

long resident_bytes()
{
    FILE* f = fopen("/proc/self/statm", "r");
    if (!f) return 0;
    long pages = 0, resident = 0;
    int n = fscanf(f, "%ld %ld", &pages, &resident);
    fclose(f);
    return n == 2 ? resident * sysconf(_SC_PAGESIZE) : 0;
}

bool has_bytes(int fd)
{
    char c;
    return recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) == 1;
}

// What a dumper wrote, as log lines: through an anonymous file, so a long
// dump never blocks a pipe.
void log_dump(const LogTarget& log, int level, const char* tag, const std::function<void(int)>& dump)
{
    int fd = memfd_create("wsgiscript-stack", MFD_CLOEXEC);
    if (fd < 0) return;
    dump(fd);
    std::string text;
    char buf[4096];
    lseek(fd, 0, SEEK_SET);
    for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) text.append(buf, static_cast<std::size_t>(n));
    close(fd);
    log_lines(log, level, tag, text);
}

// A thread with a stack size (stack-size=).
class Thread {
public:
    Thread(std::size_t stack, std::function<void()> body) : body_(std::move(body))
    {
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        if (stack) pthread_attr_setstacksize(&attr, stack);
        started_ = pthread_create(&id_, &attr, &Thread::run, this) == 0;
        pthread_attr_destroy(&attr);
    }
    void join()
    {
        if (started_) pthread_join(id_, nullptr);
        started_ = false;
    }

private:
    static void* run(void* self)
    {
        static_cast<Thread*>(self)->body_();
        return nullptr;
    }
    std::function<void()> body_;
    pthread_t id_{};
    bool started_ = false;
};

class Server {
public:
    Server(const DaemonGroup& g, const DaemonShared& shared, server_rec* s, unsigned slot)
        : g_(g), o_(g.options), shared_(shared), s_(s), log_(LogTarget::of(s)),
          timeout_ms_(o_.socket_timeout > 0 ? o_.socket_timeout * 1000
                                            : static_cast<int>(apr_time_as_msec(s->timeout))),
          started_(apr_time_now()),
          slot_bit_(g.accepting && o_.processes > 1 && slot < 64 ? std::uint64_t{1} << slot : 0)
    {
        if (slot_bit_) g_.accepting->fetch_or(slot_bit_);
    }

    // Serve until told to stop; true when every request ended (Python may be
    // finalised), false when some were still running at the end.
    bool run();
    Retirement reason() const { return reason_; }

private:
    struct Connection {
        explicit Connection(int fd) : ch(fd) {}
        Channel ch;
        bool hello = false, busy = false, queued = false;
        bool first_due = true;  // accepted, its first request not yet queued (counted in first_due_)
        apr_time_t queued_at = 0;
        apr_time_t closing_at = 0;  // told 'C': closed after the grace unless a request came
    };
    // What a worker is doing, for request-timeout.
    struct Busy {
        apr_time_t since = 0;
        std::string uri;
        PyThreadState* tstate = nullptr;
        bool reported = false;
    };
    enum class State { kRunning, kRetiring, kStopping };

    void accept_all();
    void event_on(int fd);
    bool take_event(int fd);                  // m_ held
    void signal_received();
    void worker(std::size_t index);
    bool handle(Connection& c, std::size_t index);
    int serve(DaemonTransport& t, const wire::RequestFrame& f, std::size_t index);
    void reject_queued(int fd, Connection& c, apr_time_t waited);  // main thread
    void arm(int fd, bool first);
    void drop(int fd);                        // m_ held
    void retire(Retirement why, bool keep, const std::string& detail = {});  // m_ held
    void stop(const char* why);               // m_ held
    void close_idle();                        // m_ held
    void checks();                            // m_ held
    void balance();                           // m_ held
    // Threads not spoken for: busy, queued, and new connections whose first
    // request is on its way count against them.
    int free_threads() const { return o_.threads - busy_ - static_cast<int>(ready_.size()) - first_due_; }  // m_ held
    // m_ held; wake: notify a worker now (else the caller does, after unlocking)
    void enqueue(int fd, Connection& c, bool wake = true);
    bool others_free() const { return slot_bit_ && g_.free && (g_.free->load() & ~slot_bit_) != 0; }
    void gil_ticker();

    const DaemonGroup& g_;
    const DaemonOptions& o_;
    const DaemonShared& shared_;
    server_rec* s_;
    LogTarget log_;
    int timeout_ms_;
    apr_time_t started_;
    int epfd_ = -1, sigfd_ = -1;
    std::mutex m_;
    std::condition_variable cv_;
    std::deque<int> ready_;
    std::unordered_map<int, std::unique_ptr<Connection>> conns_;
    std::vector<Busy> busy_info_;
    int busy_ = 0;
    int first_due_ = 0;  // connections accepted whose first request is not queued yet
    long served_ = 0;
    State state_ = State::kRunning;
    bool accepting_ = true, keep_connections_ = true, quit_ = false;
    bool listening_ = true;  // the group's listening socket is in epfd_
    apr_time_t idle_since_ = 0, deadline_ = 0, load_failing_since_ = 0;
    bool script_changed_ = false;  // set by a worker, acted on by the main thread
    std::uint64_t slot_bit_ = 0;   // this process's bit in g_.accepting (0: none)
    apr_time_t due_since_ = 0;     // due to retire, but the only process taking requests since
    bool may_retire(apr_time_t now);  // m_ held
    void not_accepting();          // m_ held
    Retirement reason_ = Retirement::kExited;  // the exit status
    std::atomic<apr_time_t> gil_tick_{0};
    std::atomic<bool> ticker_quit_{false};
};

void Server::arm(int fd, bool first)
{
    struct epoll_event ev = {};
    ev.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;
    ev.data.fd = fd;
    epoll_ctl(epfd_, first ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &ev);
}

void Server::drop(int fd)
{
    epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, nullptr);
    conns_.erase(fd);  // closes it
}

void Server::accept_all()
{
    for (;;) {
        // No more than its free threads while another process has one free
        // (balance() then takes the socket out of epfd_).
        if (slot_bit_) {
            std::lock_guard lock(m_);
            if (free_threads() <= 0 && others_free()) return;
        }
        int fd = accept4(g_.listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) return;  // EAGAIN: no more for now (other processes share the socket)
        // Only Apache's children (and root) are let in; the secret is checked
        // with the first request.
        struct ucred cred;
        socklen_t len = sizeof cred;
        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 ||
            (cred.uid != g_.socket_uid && cred.uid != 0 && cred.uid != geteuid())) {
            log_fmt(log_, APLOG_WARNING, "WSGIS0606",
                    "daemon process group '%s' refused a connection from uid %u (pid %d): only Apache's children "
                    "may connect",
                    o_.name.c_str(), static_cast<unsigned>(cred.uid), static_cast<int>(cred.pid));
            close(fd);
            continue;
        }
        if (o_.receive_buffer_size > 0) {
            int v = static_cast<int>(o_.receive_buffer_size);
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof v);
        }
        if (o_.send_buffer_size > 0) {
            int v = static_cast<int>(o_.send_buffer_size);
            setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof v);
        }
        std::lock_guard lock(m_);
        conns_.emplace(fd, std::make_unique<Connection>(fd));
        ++first_due_;
        arm(fd, true);
        balance();
    }
}

void Server::event_on(int fd)
{
    {
        std::lock_guard lock(m_);
        if (!take_event(fd)) return;
    }
    // after unlocking: the worker woken does not wait for m_ at once
    cv_.notify_one();
}

// m_ held: true if the connection was queued for a worker.
bool Server::take_event(int fd)
{
    auto it = conns_.find(fd);
    if (it == conns_.end() || it->second->busy || it->second->queued) return false;
    Connection& c = *it->second;
    // A request on a kept connection while every thread here is busy and
    // another process of the group has one free: sent there. 'N' says
    // nothing was read and nothing ran; the Apache child sends it again on
    // a new connection, which only a process with a free thread accepts
    // meanwhile (balance()). A new connection is never sent on.
    if (c.hello && state_ == State::kRunning && c.ch.buffered() == 0 && free_threads() <= 0 && others_free()) {
        std::string elsewhere;
        wire::put_header(elsewhere, wire::kElsewhere, 0);
        c.ch.write_all(elsewhere, 100);
        drop(fd);
        return false;
    }
    enqueue(fd, c, false);
    balance();
    return true;
}

void Server::enqueue(int fd, Connection& c, bool wake)
{
    if (c.first_due) {
        c.first_due = false;
        --first_due_;
    }
    c.queued = true;
    c.queued_at = apr_time_now();
    ready_.push_back(fd);
    if (wake) cv_.notify_one();
}

// This process's free bit, and whether it accepts new connections: always
// while it is the group's only process or no other has a thread free (they
// wait here then, for queue-timeout to see); otherwise only with a thread
// free, so a new connection reaches a process that can serve it at once.
void Server::balance()
{
    bool want = accepting_;
    if (slot_bit_ && g_.free) {
        bool mine = accepting_ && state_ == State::kRunning && free_threads() > 0;
        if (mine)
            g_.free->fetch_or(slot_bit_);
        else
            g_.free->fetch_and(~slot_bit_);
        want = accepting_ && (mine || !others_free());
    }
    if (want == listening_) return;
    struct epoll_event ev = {};
    ev.events = EPOLLIN;
    ev.data.fd = g_.listen_fd;
    epoll_ctl(epfd_, want ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, g_.listen_fd, &ev);
    listening_ = want;
}

void Server::signal_received()
{
    struct signalfd_siginfo si;
    while (read(sigfd_, &si, sizeof si) == sizeof si) {
        std::lock_guard lock(m_);
        if (si.ssi_signo == SIGUSR1)
            retire(Retirement::kApacheRestart, true);
        else if (si.ssi_signo == SIGXCPU)
            retire(Retirement::kCpuTimeLimit, false);
        else
            stop(si.ssi_signo == SIGTERM ? "Apache is stopping (SIGTERM)" : "stopped by a signal");
    }
}

// Retire: no new work is taken on once the connections in use are done.
// keep: go on serving the connections Apache's children hold (an Apache
// restart: they are retiring too) until they close or the time is up.
void Server::retire(Retirement why, bool keep, const std::string& detail)
{
    if (state_ != State::kRunning) return;
    not_accepting();
    state_ = State::kRetiring;
    reason_ = why;
    keep_connections_ = keep;
    int seconds = keep && o_.eviction_timeout >= 0 ? o_.eviction_timeout
                  : o_.graceful_timeout > 0        ? o_.graceful_timeout
                  : keep                           ? o_.shutdown_timeout
                                                   : 0;
    deadline_ = apr_time_now() + apr_time_from_sec(seconds);
    log_fmt(log_, APLOG_INFO, "WSGIS0604", "daemon process %d of group '%s' is retiring: %s%s", getpid(),
            o_.name.c_str(), retirement_name(static_cast<int>(why)), detail.c_str());
    if (!keep) {
        accepting_ = false;
        close_idle();
    }
    balance();
}

// maximum-requests and restart-interval come due in every process of a
// group at about the same time under an even load; the parent replaces a
// process only once it has exited (it looks once a second), so if all
// retired at once the group would take no requests meanwhile. A process due
// to retire goes on serving while it is the only one taking requests, until
// another comes back (a replacement started) or kMaxRetireDelay passes.
constexpr apr_time_t kMaxRetireDelay = apr_time_from_sec(5);

bool Server::may_retire(apr_time_t now)
{
    if (!slot_bit_) return true;
    std::uint64_t mask = g_.accepting->load();
    while (mask & ~slot_bit_) {
        if (g_.accepting->compare_exchange_weak(mask, mask & ~slot_bit_)) return true;
    }
    if (!due_since_) {
        due_since_ = now;
        log_fmt(log_, APLOG_INFO, "WSGIS0604",
                "daemon process %d of group '%s' is due to retire but is the only one of its group taking requests: "
                "it goes on until another is back (at most %d s)",
                getpid(), o_.name.c_str(), static_cast<int>(apr_time_sec(kMaxRetireDelay)));
    }
    return now - due_since_ >= kMaxRetireDelay;
}

void Server::not_accepting()
{
    if (slot_bit_) g_.accepting->fetch_and(~slot_bit_);
    if (slot_bit_ && g_.free) g_.free->fetch_and(~slot_bit_);
}

void Server::stop(const char* why)
{
    if (state_ == State::kStopping) return;
    not_accepting();
    if (state_ == State::kRunning)
        log_fmt(log_, APLOG_INFO, "WSGIS0604", "daemon process %d of group '%s' is stopping: %s", getpid(),
                o_.name.c_str(), why);
    state_ = State::kStopping;
    accepting_ = false;
    balance();
    close_idle();
    deadline_ = apr_time_now() + apr_time_from_sec(o_.shutdown_timeout);
}

// Connections kept idle between requests are told 'C' (the children see it
// before they would reuse one) and closed a moment later; a new connection,
// or one whose request has already arrived, is served instead, never reset.
void Server::close_idle()
{
    apr_time_t now = apr_time_now();
    std::string close_msg;
    wire::put_header(close_msg, wire::kClose, 0);
    for (auto& [fd, c] : conns_) {
        if (c->busy || c->queued || c->closing_at) continue;
        if (!c->hello || c->ch.buffered() > 0 || has_bytes(fd)) {
            enqueue(fd, *c);
        } else {
            c->ch.write_all(close_msg, 100);
            c->closing_at = now;
        }
    }
}

void Server::checks()
{
    apr_time_t now = apr_time_now();
    // Idle connections told 'C': closed after the grace, unless a request came.
    for (auto it = conns_.begin(); it != conns_.end();) {
        Connection& c = *it->second;
        if (c.closing_at && !c.busy && !c.queued && now - c.closing_at >= kCloseGrace) {
            epoll_ctl(epfd_, EPOLL_CTL_DEL, it->first, nullptr);
            it = conns_.erase(it);
        } else {
            ++it;
        }
    }
    if (script_changed_ && state_ == State::kRunning) retire(Retirement::kScriptChanged, false);
    if (state_ == State::kRunning) {
        if (o_.inactivity_timeout > 0 && busy_ == 0 && ready_.empty() && idle_since_ &&
            now - idle_since_ >= apr_time_from_sec(o_.inactivity_timeout))
            retire(Retirement::kInactivity, false);
        else if (o_.restart_interval > 0 && now - started_ >= apr_time_from_sec(o_.restart_interval) &&
                 may_retire(now))
            retire(Retirement::kRestartInterval, false);
        else if (o_.maximum_requests > 0 && served_ >= o_.maximum_requests && may_retire(now))
            retire(Retirement::kMaximumRequests, false, " (" + std::to_string(served_) + " requests)");
        else if (o_.startup_timeout > 0 && load_failing_since_ &&
                 now - load_failing_since_ >= apr_time_from_sec(o_.startup_timeout))
            retire(Retirement::kStartupTimeout, false);
        else if (o_.memory_limit > 0 && resident_bytes() > o_.memory_limit)
            retire(Retirement::kMemoryLimit, false, " (" + std::to_string(resident_bytes() >> 20) + " MiB resident)");
    }
    // A request that ran too long: its stack in the log, then the process
    // is replaced (the Apache child has answered 504).
    if (o_.request_timeout > 0) {
        for (Busy& b : busy_info_) {
            if (!b.since || b.reported || now - b.since < apr_time_from_sec(o_.request_timeout)) continue;
            b.reported = true;
            log_fmt(log_, APLOG_ERR, "WSGIS0610",
                    "daemon process %d of group '%s': the request for '%s' has run longer than request-timeout "
                    "(%d s); its stack follows; the process is replaced",
                    getpid(), o_.name.c_str(), b.uri.c_str(), o_.request_timeout);
            if (b.tstate) log_dump(log_, APLOG_ERR, "WSGIS0610", [&](int fd) { _Py_DumpTraceback(fd, b.tstate); });
            retire(Retirement::kRequestTimeout, false, " (the request for '" + b.uri + "')");
        }
    }
    // The GIL taken and never given back (a C extension blocking with it):
    // nothing in Python will run again here. Stacks, then exit at once.
    if (o_.deadlock_timeout > 0 && gil_tick_.load() &&
        now - gil_tick_.load() >= apr_time_from_sec(o_.deadlock_timeout)) {
        log_fmt(log_, APLOG_ERR, "WSGIS0611",
                "daemon process %d of group '%s': the GIL has not been released for deadlock-timeout (%d s); the "
                "stacks of its threads follow; the process exits and is replaced",
                getpid(), o_.name.c_str(), o_.deadlock_timeout);
        for (PyInterpreterState* in = PyInterpreterState_Head(); in; in = PyInterpreterState_Next(in))
            log_dump(log_, APLOG_ERR, "WSGIS0611", [&](int fd) { _Py_DumpTracebackThreads(fd, in, nullptr); });
        _exit(static_cast<int>(Retirement::kDeadlock));
    }
    if (state_ == State::kRetiring) {
        bool done = busy_ == 0 && ready_.empty() && (!keep_connections_ || conns_.empty());
        if (done || now >= deadline_) stop(done ? "retired" : "its graceful time is up");
    }
}

// Takes the GIL once a second: the main loop sees the last time it could.
void Server::gil_ticker()
{
    Interpreter* main = Runtime::current()->interpreter("");
    while (!ticker_quit_.load()) {
        {
            InterpreterScope gil(main);
        }
        gil_tick_.store(apr_time_now());
        for (int i = 0; i < 10 && !ticker_quit_.load(); ++i) usleep(100000);
    }
}

// A request that waited longer than queue-timeout for a free thread: read
// it off the connection and answer 503 without running it.
void Server::reject_queued(int fd, Connection& c, apr_time_t waited)
{
    Channel& ch = c.ch;
    bool ok = true;
    if (!c.hello) {
        char hello[wire::kHelloSize];
        ok = ch.read_exact(hello, sizeof hello, 200) && !std::memcmp(hello, wire::kMagic, sizeof wire::kMagic) &&
             wire::same_secret(reinterpret_cast<const unsigned char*>(hello + sizeof wire::kMagic), shared_.secret);
        c.hello = ok;
    }
    char type;
    std::string payload;
    wire::RequestFrame frame;
    ok = ok && ch.read_message(&type, payload, wire::kMaxRequest, 200) && type == wire::kRequest &&
         wire::decode_request(payload, &frame);
    if (ok) {
        std::string uri;
        for (const wire::Pair& v : frame.variables)
            if (v.first == "REQUEST_URI") uri = v.second;
        log_fmt(log_, APLOG_ERR, "WSGIS0612",
                "daemon process %d of group '%s': the request for '%s' waited %.1f s for a free thread "
                "(queue-timeout %d s); answered 503 without running it",
                getpid(), o_.name.c_str(), uri.c_str(), static_cast<double>(waited) / APR_USEC_PER_SEC,
                o_.queue_timeout);
        std::string msg;
        wire::encode_u32_message(msg, wire::kStatus, HTTP_SERVICE_UNAVAILABLE);
        ok = ch.write_all(msg, 1000);
    }
    if (ok)
        arm(fd, false);
    else
        drop(fd);
}

bool Server::run()
{
    epfd_ = epoll_create1(EPOLL_CLOEXEC);
    sigset_t set;
    sigemptyset(&set);
    for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGXCPU}) sigaddset(&set, sig);
    sigfd_ = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    struct epoll_event ev = {};
    ev.events = EPOLLIN;
    ev.data.fd = sigfd_;
    epoll_ctl(epfd_, EPOLL_CTL_ADD, sigfd_, &ev);
    ev.data.fd = g_.listen_fd;
    epoll_ctl(epfd_, EPOLL_CTL_ADD, g_.listen_fd, &ev);
    {
        std::lock_guard lock(m_);
        balance();  // this process's free bit
    }

    busy_info_.resize(static_cast<std::size_t>(o_.threads));
    std::vector<std::unique_ptr<Thread>> workers;
    auto stack = static_cast<std::size_t>(o_.stack_size);
    for (std::size_t i = 0; i < static_cast<std::size_t>(o_.threads); ++i)
        workers.push_back(std::make_unique<Thread>(stack, [this, i] { worker(i); }));
    std::unique_ptr<Thread> ticker;
    if (o_.deadlock_timeout > 0) {
        gil_tick_.store(apr_time_now());
        ticker = std::make_unique<Thread>(stack, [this] { gil_ticker(); });
    }

    bool all_done = false;
    for (;;) {
        struct epoll_event events[64];
        int n = epoll_wait(epfd_, events, 64, 200);
        for (int i = 0; i < n; ++i) {
            int fd = events[i].data.fd;
            if (fd == sigfd_)
                signal_received();
            else if (fd == g_.listen_fd)
                accept_all();
            else
                event_on(fd);
        }
        std::lock_guard lock(m_);
        if (o_.queue_timeout > 0) {
            apr_time_t now = apr_time_now();
            for (auto it = ready_.begin(); it != ready_.end();) {
                auto c = conns_.find(*it);
                apr_time_t waited = c == conns_.end() ? 0 : now - c->second->queued_at;
                if (c != conns_.end() && waited >= apr_time_from_sec(o_.queue_timeout)) {
                    int fd = *it;
                    it = ready_.erase(it);
                    c->second->queued = false;
                    reject_queued(fd, *c->second, waited);
                } else {
                    ++it;
                }
            }
        }
        checks();
        balance();  // the other processes' free bits may have changed
        if (state_ == State::kStopping) {
            if (busy_ == 0 && ready_.empty()) {
                all_done = true;
                break;
            }
            if (apr_time_now() >= deadline_) {
                log_fmt(log_, APLOG_WARNING, "WSGIS0605",
                        "daemon process %d of group '%s' exits with %d request(s) still running after its "
                        "shutdown-timeout (%d s)",
                        getpid(), o_.name.c_str(), busy_, o_.shutdown_timeout);
                break;
            }
        }
    }
    ticker_quit_.store(true);
    {
        std::lock_guard lock(m_);
        quit_ = true;
        if (all_done) conns_.clear();
    }
    cv_.notify_all();
    if (!all_done) return false;  // the stuck workers end with the process
    for (auto& t : workers) t->join();
    if (ticker) ticker->join();
    return true;
}

void Server::worker(std::size_t index)
{
    for (;;) {
        int fd;
        Connection* c;
        {
            std::unique_lock lock(m_);
            cv_.wait(lock, [this] { return quit_ || !ready_.empty(); });
            if (quit_) return;
            fd = ready_.front();
            ready_.pop_front();
            auto it = conns_.find(fd);
            if (it == conns_.end()) continue;
            c = it->second.get();
            c->queued = false;
            c->closing_at = 0;
            c->busy = true;
            ++busy_;
        }
        bool keep = false;
        server_entry(s_, "serving a request in a daemon process", [&] { keep = handle(*c, index); });
        std::lock_guard lock(m_);
        --busy_;
        busy_info_[index] = Busy{};
        c->busy = false;
        if (keep && state_ != State::kStopping && (state_ == State::kRunning || keep_connections_)) {
            // A next request already read into the channel's buffer gives
            // epoll nothing to report: queued at once, not left waiting.
            // This worker takes it (or an earlier one) as it loops: no wake-up.
            if (c->ch.buffered() > 0) {
                enqueue(fd, *c, false);
            } else {
                arm(fd, false);
            }
        } else {
            drop(fd);
        }
        balance();
    }
}

// One request on connection c; true when the connection can carry the next.
bool Server::handle(Connection& c, std::size_t index)
{
    Channel& ch = c.ch;
    bool fresh = !c.hello;  // its hello answered with 'P' just now
    if (!c.hello) {
        char hello[wire::kHelloSize];
        if (!ch.read_exact(hello, sizeof hello, kHelloTimeoutMs)) return false;
        if (std::memcmp(hello, wire::kMagic, sizeof wire::kMagic) != 0 ||
            !wire::same_secret(reinterpret_cast<const unsigned char*>(hello + sizeof wire::kMagic), shared_.secret)) {
            log_fmt(log_, APLOG_WARNING, "WSGIS0606",
                    "daemon process group '%s' refused a connection without this server's secret", o_.name.c_str());
            return false;
        }
        c.hello = true;
        std::string pid;
        wire::encode_u32_message(pid, wire::kPid, static_cast<std::uint32_t>(getpid()));
        if (!ch.write_all(pid, timeout_ms_)) return false;
    }
    char type;
    std::string payload;
    if (!ch.read_message(&type, payload, wire::kMaxRequest, timeout_ms_)) return false;  // closed by the child
    wire::RequestFrame frame;
    if (type != wire::kRequest || !wire::decode_request(payload, &frame)) {
        log_fmt(log_, APLOG_ERR, "WSGIS0606", "daemon process group '%s' got a malformed request", o_.name.c_str());
        return false;
    }
    // request-timeout: the child counts from when the request starts to
    // run, not from when it was queued ('P' again on a kept connection).
    if (o_.request_timeout > 0 && !fresh) {
        std::string pid;
        wire::encode_u32_message(pid, wire::kPid, static_cast<std::uint32_t>(getpid()));
        if (!ch.write_all(pid, timeout_ms_)) return false;
    }
    apr_pool_t* pool = nullptr;
    apr_pool_create(&pool, nullptr);
    bool keep = false;
    {
        DaemonTransport t(ch, frame, pool, s_, timeout_ms_);
        {
            std::lock_guard lock(m_);
            Busy& b = busy_info_[index];
            b.since = apr_time_now();
            const char* uri = t.request_line().uri;
            b.uri = uri ? uri : frame.script_path.data();
        }
        int status = serve(t, frame, index);
        if (status == kRestartRequested) {
            std::string z;
            wire::put_header(z, wire::kRestart, 0);
            ch.write_all(z, timeout_ms_);
        } else if (status > 0) {
            if (!t.started()) t.answer_status(status);
            else t.end(false);
        } else if (status == Transport::kAnswered || !t.ended()) {
            t.answer_status(static_cast<int>(wire::kAnsweredStatus));
        }
        keep = status != kRestartRequested && t.reusable();
        std::lock_guard lock(m_);
        if (status == kRestartRequested) {
            script_changed_ = true;
        } else {
            ++served_;
            if (!(frame.flags & wire::kIgnoreActivity)) idle_since_ = apr_time_now();
        }
    }
    apr_pool_destroy(pool);
    return keep;
}

int Server::serve(DaemonTransport& t, const wire::RequestFrame& f, std::size_t index)
{
    Runtime* rt = Runtime::current();
    if (!rt) return HTTP_INTERNAL_SERVER_ERROR;
    RequestSettings rs;
    rs.script_path = f.script_path.data();
    rs.callable = f.callable.data();
    rs.app_group = std::string(f.app_group);
    rs.reloading = f.flags & wire::kReloading;
    rs.pass_authorization = f.flags & wire::kPassAuthorization;
    Interpreter* in = rt->interpreter(rs.app_group);
    if (!in) return HTTP_INTERNAL_SERVER_ERROR;
    ScriptLoad load;
    load.path = rs.script_path;
    load.mtime = f.mtime;
    load.seen_at = f.request_time;
    load.reloading = false;  // a changed script restarts the process instead
    load.ask_script = rs.reloading;  // reload_required() / no __mtime__: a restart too, as mod_wsgi
    load.case_sensitive = shared_.case_sensitive;
    load.stat_on_load = true;
    load.log = t.log_target();
    RequestScope current(t);
    InterpreterScope gil(in);
    {
        std::lock_guard lock(m_);
        busy_info_[index].tstate = PyThreadState_Get();
    }
    if (rs.reloading && script_changed(in, load)) return kRestartRequested;
    load.ask_script = false;  // asked once per request
    if (f.flags & wire::kPickleResolve) pickle_resolve::ensure_installed(in, s_);
    if (f.flags & wire::kPickleDiagnostics) pickle_diagnostics::ensure_installed(in, s_);
    int status = serve_request(in, t, rs, load);
    // startup-timeout: how long the scripts have kept failing to load.
    bool loaded = !(status == HTTP_INTERNAL_SERVER_ERROR && !t.started() &&
                                                  in->state<ScriptTable>().entries.find(rs.script_path) !=
                                                      in->state<ScriptTable>().entries.end() &&
                                                  !in->state<ScriptTable>().entries.find(rs.script_path)->second.module);
    std::lock_guard lock(m_);
    if (loaded)
        load_failing_since_ = 0;
    else if (!load_failing_since_)
        load_failing_since_ = apr_time_now();
    return status;
}

void preload(const DaemonGroup& g, const DaemonShared& shared, server_rec* s)
{
    Runtime* rt = Runtime::current();
    for (const DaemonPreload& p : g.preload) {
        Interpreter* in = rt->interpreter(p.app_group);
        if (!in) continue;
        InterpreterScope gil(in);
        if (shared.pickle_resolve) pickle_resolve::ensure_installed(in, s);
        if (shared.pickle_diagnostics) pickle_diagnostics::ensure_installed(in, s);
        ScriptLoad load;
        load.path = p.path.c_str();
        load.reloading = false;
        load.case_sensitive = shared.case_sensitive;
        load.log = LogTarget::of(s);
        int status = 0;
        load_script(in, load, &status);
    }
}

}  // namespace

const char* retirement_name(int exit_status)
{
    switch (static_cast<Retirement>(exit_status)) {
    case Retirement::kStartFailed: return "it could not start";
    case Retirement::kDeadlock: return "deadlock-timeout (the GIL was never released)";
    case Retirement::kApacheRestart: return "Apache is restarting";
    case Retirement::kCpuTimeLimit: return "cpu-time-limit";
    case Retirement::kInactivity: return "inactivity-timeout";
    case Retirement::kRestartInterval: return "restart-interval";
    case Retirement::kMaximumRequests: return "maximum-requests";
    case Retirement::kStartupTimeout: return "startup-timeout (its scripts did not load)";
    case Retirement::kMemoryLimit: return "memory-limit";
    case Retirement::kRequestTimeout: return "request-timeout";
    case Retirement::kScriptChanged: return "a script it loaded has changed";
    case Retirement::kExited: break;
    }
    return nullptr;
}

void run_daemon_process(process_rec* process, server_rec* s, const DaemonGroup& g, const DaemonShared& shared,
                        const std::vector<int>& others, unsigned slot)
{
    LogTarget log = LogTarget::of(s);
    const DaemonOptions& o = g.options;
    pid_t parent = getppid();
    // Apache's handlers and listeners are the parent's business, not ours.
    for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2, SIGWINCH, SIGCHLD, SIGALRM, SIGXCPU})
        std::signal(sig, SIG_DFL);
    std::signal(SIGPIPE, SIG_IGN);
    sigset_t set;
    sigemptyset(&set);
    for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGXCPU}) sigaddset(&set, sig);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);  // read through a signalfd; inherited by every thread
    ap_close_listeners();
    for (int fd : others) close(fd);

    g_group_name = o.name.c_str();
    drop_privileges(g, log);
    set_user_environment();
    // The Apache parent gone (stopped, or killed): stop too.
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(0);
    set_limits(o, log);
    if (o.umask) umask(static_cast<mode_t>(*o.umask));
    if (!g.home.empty() && chdir(g.home.c_str()) < 0) fail_start(log, ("chdir(" + g.home + ")").c_str(), errno);
    if (!o.lang.empty()) setenv("LANG", o.lang.c_str(), 1);
    if (!o.locale.empty()) setenv("LC_ALL", o.locale.c_str(), 1);
    const PythonSettings default_python;
    const PythonSettings& python = shared.python ? *shared.python : default_python;
    const std::string& eggs = o.python_eggs.empty() ? python.python_eggs : o.python_eggs;
    if (!eggs.empty()) setenv("PYTHON_EGG_CACHE", eggs.c_str(), 1);
    set_title(process, daemon_display_name(o));

    apr_pool_t* pool = nullptr;
    apr_pool_create(&pool, nullptr);
    RuntimeOptions options;
    options.python_home = o.python_home.empty() ? shared.python_home : o.python_home.c_str();
    options.python_path = o.python_path_given ? o.python_path : shared.python_path;
    options.multithread = o.threads > 1;
    options.multiprocess = o.processes_given;
    options.run_once = o.threads == 1 && o.maximum_requests == 1;
    ProcessFacts facts;
    facts.process_group = o.name;
    facts.maximum_processes = o.processes;
    facts.threads_per_process = o.threads;
    facts.server_metrics = o.server_metrics;
    add_pipeline(options, facts);
    pickle_diagnostics::add_to(options, shared.pickle_diagnostics);
    interpreter_options::add_to(options, python, o.name, o.switch_interval);
    pickle_resolve::add_to(options, {shared.pickle_resolve, shared.pickle_diagnostics, false});
    if (!Runtime::start(pool, s, std::move(options))) fail_start(log, "Python could not be initialised", 0);
    log_fmt(log, APLOG_INFO, "WSGIS0600", "daemon process %d of group '%s' started (uid %u, gid %u, %d thread(s))",
            getpid(), o.name.c_str(), static_cast<unsigned>(getuid()), static_cast<unsigned>(getgid()), o.threads);
    if (o.server_metrics && !ap_exists_scoreboard_image())
        log_fmt(log, APLOG_NOTICE, "WSGIS0618",
                "daemon process %d of group '%s': server-metrics=On, but this process started before Apache made "
                "its scoreboard (Apache's first start): mod_wsgi.server_metrics() returns None in it, as in "
                "mod_wsgi; daemon processes started later (after a restart, or replacing one) read it",
                getpid(), o.name.c_str());
    preload(g, shared, s);

    Server server(g, shared, s, slot);
    bool all_done = server.run();
    if (all_done) apr_pool_destroy(pool);  // ends Python: threads, atexit, finalisation
    log_fmt(log, APLOG_INFO, "WSGIS0604", "daemon process %d of group '%s' exits", getpid(), o.name.c_str());
    _exit(static_cast<int>(server.reason()));
}

}  // namespace wsgi
