// process.cpp - see process.h.
#include "daemon/process.h"

#include "base/boundary.h"
#include "daemon/channel.h"
#include "daemon/transport.h"
#include "features/pickle_diagnostics.h"
#include "pipeline/application.h"
#include "pipeline/request_scope.h"
#include "pipeline/setup.h"
#include "runtime/runtime.h"

#include <ap_listen.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <csignal>
#include <cstring>
#include <deque>
#include <grp.h>
#include <memory>
#include <mutex>
#include <pwd.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>
#include <unordered_map>

namespace wsgi {

namespace {

constexpr int kHelloTimeoutMs = 3000;  // a child sends its hello with its first request
constexpr int kRestartRequested = -1000;  // a changed script: the process restarts

// Fork-bomb guard: a process that cannot start waits before exiting, so
// the parent restarts it a few times a minute, not thousands.
[[noreturn]] void fail_start(const LogTarget& log, const char* what, int err)
{
    log_fmt(log, APLOG_CRIT, "WSGIS0603", "daemon process %d could not start: %s%s%s; retrying in 5 s", getpid(), what,
            err ? ": " : "", err ? std::strerror(err) : "");
    sleep(5);
    _exit(1);
}

// ps shows the title in the place of Apache's command line (as long as
// that was), and the thread name in top.
void set_title(process_rec* process, const std::string& title)
{
    if (title.empty() || process->argc < 1) return;
    char* start = const_cast<char*>(process->argv[0]);
    const char* last = process->argv[process->argc - 1];
    std::size_t room = static_cast<std::size_t>(last + strlen(last) - start);
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

class Server {
public:
    Server(const DaemonGroup& g, const DaemonShared& shared, server_rec* s)
        : g_(g), shared_(shared), s_(s), timeout_ms_(static_cast<int>(apr_time_as_msec(s->timeout)))
    {
    }

    // Serve until told to stop; true when every request ended (Python may be
    // finalised), false when some were still running at the end.
    bool run();
    void restart_requested(const char* why)
    {
        std::lock_guard lock(m_);
        if (!restart_why_) restart_why_ = why;
    }

private:
    struct Connection {
        explicit Connection(int fd) : ch(fd) {}
        Channel ch;
        bool hello = false, busy = false, queued = false;
    };
    enum class State { kRunning, kRetiring, kStopping };

    void accept_all();
    void event_on(int fd);
    void signal_received();
    void worker();
    bool handle(Connection& c);
    int serve(DaemonTransport& t, const wire::RequestFrame& f);
    void arm(int fd, bool first);
    void drop(int fd);                        // m_ held
    void retire(const char* why, bool keep);  // m_ held
    void stop(const char* why);               // m_ held
    void close_idle();                        // m_ held
    void checks();                            // m_ held

    const DaemonGroup& g_;
    const DaemonShared& shared_;
    server_rec* s_;
    int timeout_ms_;
    int epfd_ = -1, sigfd_ = -1;
    std::mutex m_;
    std::condition_variable cv_;
    std::deque<int> ready_;
    std::unordered_map<int, std::unique_ptr<Connection>> conns_;
    int busy_ = 0;
    State state_ = State::kRunning;
    bool accepting_ = true, keep_connections_ = true, quit_ = false;
    apr_time_t idle_since_ = 0, deadline_ = 0;
    const char* restart_why_ = nullptr;
};

bool has_bytes(int fd)
{
    char c;
    return recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) == 1;
}

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
        int fd = accept4(g_.listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) return;  // EAGAIN: no more for now (other processes share the socket)
        // Only Apache's children (and root) are let in; the secret is checked
        // with the first request.
        struct ucred cred;
        socklen_t len = sizeof cred;
        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 ||
            (cred.uid != shared_.child_uid && cred.uid != 0 && cred.uid != geteuid())) {
            log_fmt(LogTarget::of(s_), APLOG_WARNING, "WSGIS0606",
                    "daemon process group '%s' refused a connection from uid %u (pid %d): only Apache's children "
                    "may connect",
                    g_.options.name.c_str(), static_cast<unsigned>(cred.uid), static_cast<int>(cred.pid));
            close(fd);
            continue;
        }
        std::lock_guard lock(m_);
        conns_.emplace(fd, std::make_unique<Connection>(fd));
        arm(fd, true);
    }
}

void Server::event_on(int fd)
{
    std::lock_guard lock(m_);
    auto it = conns_.find(fd);
    if (it == conns_.end() || it->second->busy || it->second->queued) return;
    it->second->queued = true;
    ready_.push_back(fd);
    cv_.notify_one();
}

void Server::signal_received()
{
    struct signalfd_siginfo si;
    while (read(sigfd_, &si, sizeof si) == sizeof si) {
        std::lock_guard lock(m_);
        if (si.ssi_signo == SIGUSR1)
            retire("Apache is restarting", true);
        else
            stop(si.ssi_signo == SIGTERM ? "Apache is stopping (SIGTERM)" : "stopped by a signal");
    }
}

// Retire: no new work is taken on once the connections in use are done.
// keep: go on serving the connections Apache's children hold (an Apache
// restart: they are retiring too) until they close or the time is up.
void Server::retire(const char* why, bool keep)
{
    if (state_ != State::kRunning) return;
    state_ = State::kRetiring;
    keep_connections_ = keep;
    int seconds = g_.options.graceful_timeout > 0 ? g_.options.graceful_timeout
                  : keep                          ? g_.options.shutdown_timeout
                                                  : 0;
    deadline_ = apr_time_now() + apr_time_from_sec(seconds);
    log_fmt(LogTarget::of(s_), APLOG_INFO, "WSGIS0604", "daemon process %d of group '%s' is retiring: %s", getpid(),
            g_.options.name.c_str(), why);
    if (!keep) {
        accepting_ = false;
        epoll_ctl(epfd_, EPOLL_CTL_DEL, g_.listen_fd, nullptr);
        close_idle();
    }
}

void Server::stop(const char* why)
{
    if (state_ == State::kStopping) return;
    if (state_ == State::kRunning)
        log_fmt(LogTarget::of(s_), APLOG_INFO, "WSGIS0604", "daemon process %d of group '%s' is stopping: %s",
                getpid(), g_.options.name.c_str(), why);
    state_ = State::kStopping;
    if (accepting_) {
        accepting_ = false;
        epoll_ctl(epfd_, EPOLL_CTL_DEL, g_.listen_fd, nullptr);
    }
    close_idle();
    deadline_ = apr_time_now() + apr_time_from_sec(g_.options.shutdown_timeout);
}

// Connections kept idle between requests are closed (the children holding
// them see that before they reuse one); a new connection, or one whose
// request has already arrived, is served instead, never reset.
void Server::close_idle()
{
    for (auto it = conns_.begin(); it != conns_.end();) {
        Connection& c = *it->second;
        if (c.busy || c.queued) {
            ++it;
        } else if (!c.hello || c.ch.buffered() > 0 || has_bytes(it->first)) {
            c.queued = true;
            ready_.push_back(it->first);
            cv_.notify_one();
            ++it;
        } else {
            epoll_ctl(epfd_, EPOLL_CTL_DEL, it->first, nullptr);
            it = conns_.erase(it);
        }
    }
}

void Server::checks()
{
    apr_time_t now = apr_time_now();
    if (restart_why_ && state_ == State::kRunning) retire(restart_why_, false);
    int inactivity = g_.options.inactivity_timeout;
    if (state_ == State::kRunning && inactivity > 0 && busy_ == 0 && ready_.empty() && idle_since_ &&
        now - idle_since_ >= apr_time_from_sec(inactivity))
        retire("idle for inactivity-timeout", false);
    if (state_ == State::kRetiring) {
        bool done = busy_ == 0 && ready_.empty() && (!keep_connections_ || conns_.empty());
        if (done || now >= deadline_) stop(done ? "retired" : "its graceful time is up");
    }
}

bool Server::run()
{
    epfd_ = epoll_create1(EPOLL_CLOEXEC);
    sigset_t set;
    sigemptyset(&set);
    for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGUSR1}) sigaddset(&set, sig);
    sigfd_ = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    struct epoll_event ev = {};
    ev.events = EPOLLIN;
    ev.data.fd = sigfd_;
    epoll_ctl(epfd_, EPOLL_CTL_ADD, sigfd_, &ev);
    ev.data.fd = g_.listen_fd;
    epoll_ctl(epfd_, EPOLL_CTL_ADD, g_.listen_fd, &ev);

    std::vector<std::thread> workers;
    for (int i = 0; i < g_.options.threads; ++i) workers.emplace_back([this] { worker(); });

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
        checks();
        if (state_ == State::kStopping) {
            if (busy_ == 0 && ready_.empty()) {
                all_done = true;
                break;
            }
            if (apr_time_now() >= deadline_) {
                log_fmt(LogTarget::of(s_), APLOG_WARNING, "WSGIS0605",
                        "daemon process %d of group '%s' exits with %d request(s) still running after its "
                        "shutdown-timeout (%d s)",
                        getpid(), g_.options.name.c_str(), busy_, g_.options.shutdown_timeout);
                break;
            }
        }
    }
    {
        std::lock_guard lock(m_);
        quit_ = true;
        conns_.clear();
    }
    cv_.notify_all();
    if (!all_done) return false;  // the stuck workers end with the process
    for (std::thread& t : workers) t.join();
    return true;
}

void Server::worker()
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
            c->busy = true;
            ++busy_;
        }
        bool keep = false;
        server_entry(s_, "serving a request in a daemon process", [&] { keep = handle(*c); });
        std::lock_guard lock(m_);
        --busy_;
        c->busy = false;
        idle_since_ = apr_time_now();
        if (keep && state_ != State::kStopping && (state_ == State::kRunning || keep_connections_))
            arm(fd, false);
        else
            drop(fd);
    }
}

// One request on connection c; true when the connection can carry the next.
bool Server::handle(Connection& c)
{
    Channel& ch = c.ch;
    if (!c.hello) {
        char hello[wire::kHelloSize];
        if (!ch.read_exact(hello, sizeof hello, kHelloTimeoutMs)) return false;
        if (std::memcmp(hello, wire::kMagic, sizeof wire::kMagic) != 0 ||
            !wire::same_secret(reinterpret_cast<const unsigned char*>(hello + sizeof wire::kMagic), shared_.secret)) {
            log_fmt(LogTarget::of(s_), APLOG_WARNING, "WSGIS0606",
                    "daemon process group '%s' refused a connection without this server's secret",
                    g_.options.name.c_str());
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
        log_fmt(LogTarget::of(s_), APLOG_ERR, "WSGIS0606", "daemon process group '%s' got a malformed request",
                g_.options.name.c_str());
        return false;
    }
    apr_pool_t* pool = nullptr;
    apr_pool_create(&pool, nullptr);
    bool keep = false;
    {
        DaemonTransport t(ch, frame, pool, s_, timeout_ms_);
        int status = serve(t, frame);
        if (status == kRestartRequested) {
            std::string z;
            wire::put_header(z, wire::kRestart, 0);
            ch.write_all(z, timeout_ms_);
            restart_requested("a script it loaded has changed");
        } else if (status > 0) {
            if (!t.started()) t.answer_status(status);
            else t.end(false);
        } else if (status == Transport::kAnswered || !t.ended()) {
            t.answer_status(static_cast<int>(wire::kAnsweredStatus));
        }
        keep = status != kRestartRequested && t.reusable();
    }
    apr_pool_destroy(pool);
    return keep;
}

int Server::serve(DaemonTransport& t, const wire::RequestFrame& f)
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
    load.case_sensitive = shared_.case_sensitive;
    load.log = t.log_target();
    RequestScope current(t);
    InterpreterScope gil(in);
    if (rs.reloading && script_changed(in, load)) return kRestartRequested;
    if (f.flags & wire::kPickleDiagnostics) pickle_diagnostics::ensure_installed(in, s_);
    return serve_request(in, t, rs, load);
}

void preload(const DaemonGroup& g, const DaemonShared& shared, server_rec* s)
{
    Runtime* rt = Runtime::current();
    for (const DaemonPreload& p : g.preload) {
        Interpreter* in = rt->interpreter(p.app_group);
        if (!in) continue;
        InterpreterScope gil(in);
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

void run_daemon_process(process_rec* process, server_rec* s, const DaemonGroup& g, const DaemonShared& shared,
                        const std::vector<int>& others)
{
    LogTarget log = LogTarget::of(s);
    pid_t parent = getppid();
    // Apache's handlers and listeners are the parent's business, not ours.
    for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2, SIGWINCH, SIGCHLD, SIGALRM})
        std::signal(sig, SIG_DFL);
    std::signal(SIGPIPE, SIG_IGN);
    sigset_t set;
    sigemptyset(&set);
    for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGUSR1}) sigaddset(&set, sig);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);  // read through a signalfd; inherited by every thread
    ap_close_listeners();
    for (int fd : others) close(fd);

    drop_privileges(g, log);
    // The Apache parent gone (stopped, or killed): stop too.
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(0);
    if (g.options.umask) umask(static_cast<mode_t>(*g.options.umask));
    if (!g.home.empty() && chdir(g.home.c_str()) < 0) fail_start(log, ("chdir(" + g.home + ")").c_str(), errno);
    if (!g.options.lang.empty()) setenv("LANG", g.options.lang.c_str(), 1);
    if (!g.options.locale.empty()) setenv("LC_ALL", g.options.locale.c_str(), 1);
    if (!g.options.python_eggs.empty()) setenv("PYTHON_EGG_CACHE", g.options.python_eggs.c_str(), 1);
    set_title(process, daemon_display_name(g.options));

    apr_pool_t* pool = nullptr;
    apr_pool_create(&pool, nullptr);
    RuntimeOptions options;
    options.python_home = g.options.python_home.empty() ? shared.python_home : g.options.python_home.c_str();
    options.python_path = g.options.python_path_given ? g.options.python_path : shared.python_path;
    options.multithread = g.options.threads > 1;
    options.multiprocess = g.options.processes_given;
    ProcessFacts facts;
    facts.process_group = g.options.name;
    facts.maximum_processes = g.options.processes;
    facts.threads_per_process = g.options.threads;
    add_pipeline(options, facts);
    pickle_diagnostics::add_to(options, shared.pickle_diagnostics);
    if (!Runtime::start(pool, s, std::move(options))) fail_start(log, "Python could not be initialised", 0);
    log_fmt(log, APLOG_INFO, "WSGIS0600",
            "daemon process %d of group '%s' started (uid %u, gid %u, %d thread(s))", getpid(),
            g.options.name.c_str(), static_cast<unsigned>(getuid()), static_cast<unsigned>(getgid()),
            g.options.threads);
    preload(g, shared, s);

    Server server(g, shared, s);
    bool all_done = server.run();
    if (all_done) apr_pool_destroy(pool);  // ends Python: threads, atexit, finalisation
    log_fmt(log, APLOG_INFO, "WSGIS0604", "daemon process %d of group '%s' exits", getpid(), g.options.name.c_str());
    _exit(0);
}

}  // namespace wsgi
