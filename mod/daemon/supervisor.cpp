// supervisor.cpp - see supervisor.h.
#include "daemon/supervisor.h"

#include "base/log.h"
#include "daemon/process.h"

#include <apr_md5.h>
#include <apr_thread_proc.h>
#include <unixd.h>

#include <cerrno>
#include <cstring>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <new>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

namespace wsgi {

namespace {

constexpr const char kSecretKey[] = "wsgiscript.daemon.secret";
constexpr const char kRetiredKey[] = "wsgiscript.daemon.retired";

// Processes of an earlier generation still finishing their requests after
// an Apache restart, kept in the process pool (plain data, a fixed size) so
// the next generation can watch them exit.
struct Retired {
    static constexpr int kMax = 256;
    int count;
    pid_t pids[kMax];
    char groups[kMax][64];
};

struct Slot {
    DaemonSet* set;
    DaemonGroup* group;
    apr_proc_t proc;
    apr_pool_t* pconf;
    process_rec* process;
    server_rec* server;
    apr_time_t started;
    bool ending;  // told to stop: Apache is stopping or restarting without grace
    unsigned index;  // among its group's processes (its bit in DaemonGroup::accepting)
};

struct Watched {  // a retired process of an earlier generation
    apr_proc_t proc;
    char group[64];
    server_rec* server;
    bool ending;
};

// Apache calls the maintenance functions with APR_OC_REASON_RESTART from
// ap_reclaim_child_processes(): it stops, or restarts without grace, and
// is sending SIGTERM to its children. The daemon processes are told at the
// same moment (SIGTERM: finish within shutdown-timeout), so that a child
// waiting for one of them is answered and exits by itself; the prefork MPM
// signals the whole process group, the threaded MPMs only their children.
bool told_to_end(int reason, pid_t pid, bool* ending)
{
    if (reason != APR_OC_REASON_RESTART) return false;
    if (!*ending && pid > 0) {
        *ending = true;
        kill(pid, SIGTERM);
    }
    return true;
}

// APR's own waitpid() (apr_proc_other_child_refresh) passes the raw wait
// status, Apache's wait the exit code or the signal number: the same here.
int plain_status(int status)
{
    return status > 255 && WIFEXITED(status) ? WEXITSTATUS(status) : status;
}

unsigned char* process_secret(apr_pool_t* pglobal)
{
    void* data = nullptr;
    apr_pool_userdata_get(&data, kSecretKey, pglobal);
    if (data) return static_cast<unsigned char*>(data);
    auto* secret = static_cast<unsigned char*>(apr_palloc(pglobal, wire::kSecretSize));
    if (apr_generate_random_bytes(secret, wire::kSecretSize) != APR_SUCCESS) return nullptr;
    apr_pool_userdata_set(secret, kSecretKey, apr_pool_cleanup_null, pglobal);
    return secret;
}

Retired* retired_list(apr_pool_t* pglobal)
{
    void* data = nullptr;
    apr_pool_userdata_get(&data, kRetiredKey, pglobal);
    if (!data) {
        data = apr_pcalloc(pglobal, sizeof(Retired));
        apr_pool_userdata_set(data, kRetiredKey, apr_pool_cleanup_null, pglobal);
    }
    return static_cast<Retired*>(data);
}

bool stopping()
{
    int state = 0;
    return ap_mpm_query(AP_MPMQ_MPM_STATE, &state) != APR_SUCCESS || state == AP_MPMQ_STOPPING;
}

void start_process(Slot* slot);

void manage(int reason, void* data, int status)
{
    auto* slot = static_cast<Slot*>(data);
    if (told_to_end(reason, slot->proc.pid, &slot->ending)) return;
    if (reason != APR_OC_REASON_DEATH && reason != APR_OC_REASON_LOST) return;
    apr_proc_other_child_unregister(slot);
    if (slot->index < 64 && slot->group->accepting) {  // it takes nothing any more, however it ended
        slot->group->accepting->fetch_and(~(std::uint64_t{1} << slot->index));
        slot->group->free->fetch_and(~(std::uint64_t{1} << slot->index));
    }
    LogTarget log = LogTarget::of(slot->server);
    const char* name = slot->group->options.name.c_str();
    // What Apache passes is the exit status or the signal number (it does
    // not say which); the module's own reasons are above every signal.
    status = plain_status(status);
    std::string how = reason == APR_OC_REASON_LOST ? std::string("was lost")
                      : status == 0                ? "exited"
                                                   : "ended with exit status " + std::to_string(status) +
                                                         " (or was killed by signal " + std::to_string(status) + ", " +
                                                         (status < 65 ? strsignal(status) : "?") + ")";
    if (stopping() || slot->ending) {
        log_fmt(log, APLOG_INFO, "WSGIS0607", "daemon process %d of group '%s' %s; Apache is %s",
                static_cast<int>(slot->proc.pid), name, how.c_str(), slot->ending ? "stopping or restarting" : "stopping");
        return;
    }
    // Its exit status names why it retired (process.h); anything else is a
    // crash, or something ended it from outside.
    const char* why = reason == APR_OC_REASON_DEATH ? retirement_name(status) : nullptr;
    bool crash = !why || status == static_cast<int>(Retirement::kDeadlock) ||
                 status == static_cast<int>(Retirement::kStartFailed);
    pid_t old_pid = slot->proc.pid;
    start_process(slot);
    std::string replaced = slot->proc.pid != old_pid && slot->proc.pid > 0
                               ? "replaced by " + std::to_string(slot->proc.pid)
                               : std::string("could not be replaced");
    if (why)
        log_fmt(log, crash ? APLOG_ERR : APLOG_INFO, "WSGIS0607", "daemon process %d of group '%s' ended (%s); %s",
                static_cast<int>(old_pid), name, why, replaced.c_str());
    else
        log_fmt(log, status == 0 ? APLOG_INFO : APLOG_ERR, "WSGIS0607", "daemon process %d of group '%s' %s; %s",
                static_cast<int>(old_pid), name, how.c_str(), replaced.c_str());
}

void watch_retired(int reason, void* data, int status)
{
    auto* w = static_cast<Watched*>(data);
    if (told_to_end(reason, w->proc.pid, &w->ending)) return;
    if (reason != APR_OC_REASON_DEATH && reason != APR_OC_REASON_LOST) return;
    status = plain_status(status);
    apr_proc_other_child_unregister(w);
    log_fmt(LogTarget::of(w->server), APLOG_INFO, "WSGIS0607",
            "retired daemon process %d of group '%s' ended (%s) after Apache's restart",
            static_cast<int>(w->proc.pid), w->group,
            retirement_name(status) ? retirement_name(status) : ("status " + std::to_string(status)).c_str());
}

void start_process(Slot* slot)
{
    std::vector<int> others;
    for (DaemonGroup* g : slot->set->groups)
        if (g != slot->group && g->listen_fd >= 0) others.push_back(g->listen_fd);
    apr_status_t rv = apr_proc_fork(&slot->proc, slot->pconf);
    if (rv == APR_INCHILD) {
        run_daemon_process(slot->process, slot->server, *slot->group, slot->set->shared, others, slot->index);
    }
    if (rv != APR_INPARENT) {
        char buf[120];
        log_fmt(LogTarget::of(slot->server), APLOG_CRIT, "WSGIS0603",
                "could not start a daemon process of group '%s': fork(): %s", slot->group->options.name.c_str(),
                apr_strerror(rv, buf, sizeof buf));
        return;
    }
    slot->started = apr_time_now();
    apr_proc_other_child_register(&slot->proc, manage, slot, nullptr, slot->pconf);
}

// At the end of this generation (Apache restarting or stopping): every
// process retires gracefully (it finishes its requests); the next
// generation watches it exit. On stop, the parent's exit also sends them
// SIGTERM (PR_SET_PDEATHSIG).
struct Generation {
    std::vector<Slot*> slots;
    DaemonSet* set;
    apr_pool_t* pglobal;
};

// The generation in force, also held here so that a leak checker sees it
// reachable in a child (which exits without destroying pconf).
Generation* volatile g_current_generation = nullptr;  // volatile: stores kept, though never read

apr_status_t end_generation(void* data)
{
    auto* gen = static_cast<Generation*>(data);
    Retired* retired = retired_list(gen->pglobal);
    for (Slot* slot : gen->slots) {
        if (slot->proc.pid <= 0 || kill(slot->proc.pid, SIGUSR1) != 0) continue;
        if (retired->count < Retired::kMax) {
            retired->pids[retired->count] = slot->proc.pid;
            snprintf(retired->groups[retired->count], sizeof retired->groups[0], "%s",
                     slot->group->options.name.c_str());
            ++retired->count;
        }
    }
    for (DaemonGroup* g : gen->set->groups)
        if (g->listen_fd >= 0) {
            close(g->listen_fd);
            g->listen_fd = -1;
        }
    for (Slot* slot : gen->slots) delete slot;
    if (g_current_generation == gen) g_current_generation = nullptr;
    delete gen;
    return APR_SUCCESS;
}

// Register the earlier generations' retiring processes (still alive) with
// this generation, so their exit is logged as expected.
void adopt_retired(apr_pool_t* pconf, apr_pool_t* pglobal, server_rec* s)
{
    Retired* retired = retired_list(pglobal);
    int kept = 0;
    for (int i = 0; i < retired->count; ++i) {
        if (kill(retired->pids[i], 0) != 0) continue;
        auto* w = static_cast<Watched*>(apr_pcalloc(pconf, sizeof(Watched)));
        w->proc.pid = retired->pids[i];
        w->server = s;
        snprintf(w->group, sizeof w->group, "%s", retired->groups[i]);
        apr_proc_other_child_register(&w->proc, watch_retired, w, nullptr, pconf);
        retired->pids[kept] = retired->pids[i];
        std::memcpy(retired->groups[kept], retired->groups[i], sizeof retired->groups[0]);
        ++kept;
    }
    retired->count = kept;
}

// Two words shared with the processes forked later (they keep their
// mapping after the parent unmaps it at the end of the generation): the
// group's accepting and free bits.
std::atomic<std::uint64_t>* shared_flags(apr_pool_t* pconf)
{
    constexpr std::size_t kSize = 2 * sizeof(std::atomic<std::uint64_t>);
    void* p = mmap(nullptr, kSize, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return nullptr;  // no staggered retirement, no balancing; nothing else lost
    auto* flags = new (p) std::atomic<std::uint64_t>(0);
    new (flags + 1) std::atomic<std::uint64_t>(0);
    apr_pool_cleanup_register(
        pconf, p, [](void* q) -> apr_status_t { munmap(q, kSize); return APR_SUCCESS; }, apr_pool_cleanup_null);
    return flags;
}

std::string socket_path_for(const char* prefix, const std::string& name)
{
    unsigned char digest[APR_MD5_DIGESTSIZE];
    apr_md5(digest, name.data(), name.size());
    char hex[13];
    for (int i = 0; i < 6; ++i) snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    return std::string(prefix) + "." + std::to_string(getpid()) + "." + hex + ".sock";
}

// The group's listening socket, reachable by its socket user only (Apache's
// User unless socket-user= says otherwise).
bool open_socket(DaemonGroup& g, server_rec* s, apr_pool_t* pglobal)
{
    struct sockaddr_un addr;
    std::memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    if (g.socket_path.size() >= sizeof addr.sun_path) {
        log_fmt(LogTarget::of(s), APLOG_CRIT, "WSGIS0603",
                "the socket path '%s' of daemon process group '%s' is too long (WSGISocketPrefix)",
                g.socket_path.c_str(), g.options.name.c_str());
        return false;
    }
    std::memcpy(addr.sun_path, g.socket_path.c_str(), g.socket_path.size() + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    unlink(g.socket_path.c_str());  // an earlier generation's: new children reach this one
    mode_t old = umask(0077);
    bool ok = fd >= 0 && bind(fd, reinterpret_cast<struct sockaddr*>(&addr), sizeof addr) == 0;
    umask(old);
    ok = ok && listen(fd, g.options.listen_backlog) == 0;
    if (ok && geteuid() == 0) ok = chown(g.socket_path.c_str(), g.socket_uid, -1) == 0;
    if (ok && g.options.receive_buffer_size > 0) {
        int size = static_cast<int>(g.options.receive_buffer_size);
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);  // accepted sockets inherit it
    }
    if (ok && g.options.send_buffer_size > 0) {
        int size = static_cast<int>(g.options.send_buffer_size);
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    }
    if (!ok) {
        int err = errno;
        log_fmt(LogTarget::of(s), APLOG_CRIT, "WSGIS0603",
                "could not make the socket '%s' of daemon process group '%s': %s (see WSGISocketPrefix)",
                g.socket_path.c_str(), g.options.name.c_str(), std::strerror(err));
        if (fd >= 0) close(fd);
        return false;
    }
    g.listen_fd = fd;
    // Removed when Apache stops (the process pool ends): unlink itself is
    // the cleanup, no function of this module that a restart unloads.
    apr_pool_cleanup_register(pglobal, apr_pstrdup(pglobal, g.socket_path.c_str()),
                              reinterpret_cast<apr_status_t (*)(void*)>(reinterpret_cast<void (*)()>(unlink)),
                              apr_pool_cleanup_null);
    return true;
}

bool account_id(const std::string& v, bool user, unsigned* id)
{
    if (!v.empty() && v[0] == '#') {  // "#id": digits only, no exception (this runs in an httpd hook)
        if (v.size() < 2 || v.size() > 11) return false;
        unsigned long long n = 0;
        for (size_t i = 1; i < v.size(); ++i) {
            if (v[i] < '0' || v[i] > '9') return false;
            n = n * 10 + static_cast<unsigned>(v[i] - '0');
        }
        if (n > 0xfffffffeULL) return false;
        *id = static_cast<unsigned>(n);
        return true;
    }
    if (user) {
        struct passwd* pw = getpwnam(v.c_str());
        if (!pw) return false;
        *id = pw->pw_uid;
    } else {
        struct group* gr = getgrnam(v.c_str());
        if (!gr) return false;
        *id = gr->gr_gid;
    }
    return true;
}

}  // namespace

std::string resolve_daemon_groups(DaemonSet& set)
{
    bool root = geteuid() == 0;
    for (DaemonGroup* g : set.groups) {
        const DaemonOptions& o = g->options;
        std::string where = std::string("WSGIDaemonProcess ") + o.name + " (" + g->defined_in + "): ";
        unsigned uid = root ? ap_unixd_config.user_id : geteuid();
        unsigned gid = root ? ap_unixd_config.group_id : getegid();
        if (!o.user.empty() && root && !account_id(o.user, true, &uid)) return where + "unknown user '" + o.user + "'";
        if (!o.group.empty() && root && !account_id(o.group, false, &gid))
            return where + "unknown group '" + o.group + "'";
        if (root && uid == 0)
            return where + "will not run a daemon process group as root (set user= or Apache's User to another "
                           "account)";
        g->uid = uid;
        g->gid = gid;
        g->supplementary.clear();
        for (const std::string& name : o.supplementary_groups) {
            unsigned id;
            if (!account_id(name, false, &id)) return where + "unknown group '" + name + "' in supplementary-groups=";
            g->supplementary.push_back(static_cast<gid_t>(id));
        }
        if (!g->supplementary.empty()) g->supplementary.insert(g->supplementary.begin(), static_cast<gid_t>(gid));
        unsigned socket_uid = root ? ap_unixd_config.user_id : geteuid();
        if (!o.socket_user.empty() && root && !account_id(o.socket_user, true, &socket_uid))
            return where + "unknown user '" + o.socket_user + "' in socket-user=";
        g->socket_uid = socket_uid;
        g->script_owner = !o.script_user.empty() || !o.script_group.empty();
        if (!o.script_user.empty()) {
            unsigned id;
            if (!account_id(o.script_user, true, &id)) return where + "unknown user '" + o.script_user + "' in script-user=";
            g->script_uid = id;
        }
        if (!o.script_group.empty()) {
            unsigned id;
            if (!account_id(o.script_group, false, &id))
                return where + "unknown group '" + o.script_group + "' in script-group=";
            g->script_gid = id;
        }
        g->home = o.home;
        if (g->home.empty() && !o.user.empty() && root)
            if (struct passwd* pw = getpwuid(uid)) g->home = pw->pw_dir;
    }
    return {};
}

bool start_daemons(apr_pool_t* pconf, server_rec* s, DaemonSet& set, const char* socket_prefix)
{
    apr_pool_t* pglobal = s->process->pool;
    adopt_retired(pconf, pglobal, s);
    if (set.groups.empty()) return true;
    unsigned char* secret = process_secret(pglobal);
    if (!secret) {
        log_line(LogTarget::of(s), APLOG_CRIT, "WSGIS0603", "could not make the daemon processes' secret");
        return false;
    }
    std::memcpy(set.shared.secret, secret, wire::kSecretSize);
    set.shared.child_uid = geteuid() == 0 ? ap_unixd_config.user_id : geteuid();
    for (DaemonGroup* g : set.groups) {
        g->socket_path = socket_path_for(socket_prefix, g->options.name);
        if (!open_socket(*g, s, pglobal)) return false;
    }
    auto* gen = new Generation{{}, &set, pglobal};
    g_current_generation = gen;
    apr_pool_cleanup_register(pconf, gen, end_generation, apr_pool_cleanup_null);
    for (DaemonGroup* g : set.groups) {
        g->accepting = shared_flags(pconf);
        g->free = g->accepting ? g->accepting + 1 : nullptr;
        for (int i = 0; i < g->options.processes; ++i) {
            auto* slot = new Slot{&set, g, {}, pconf, s->process, s, 0, false, static_cast<unsigned>(i)};
            gen->slots.push_back(slot);
            start_process(slot);
        }
    }
    return true;
}

void close_daemon_listeners(const DaemonSet& set)
{
    for (DaemonGroup* g : set.groups)
        if (g->listen_fd >= 0) close(g->listen_fd);
}

}  // namespace wsgi
