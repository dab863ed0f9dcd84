/* pyarena_lsan.c - let LeakSanitizer see inside CPython's object arenas.
 *
 * Test tooling for the sanitizer stage of scripts/test, never part of the
 * module. Built only with -DWSGISCRIPT_SANITIZE=ON (build-asan/pyarena_lsan.so)
 * and preloaded into apache2 after the ASan runtime by t/sanitizer/apache2.
 *
 * Why: pymalloc takes its 1 MiB arenas from mmap(), which LeakSanitizer
 * neither tracks nor scans. Every malloc()ed block that only a live Python
 * object points to (a dict's key table, a long str, a lock, a type's method
 * cache...) then looks unreferenced at exit and is reported as a leak, by the
 * hundreds per child, whoever allocated it. With the arenas registered as root
 * regions, LSan scans them like globals: what a Python object still refers to
 * is reachable, and a report means the block is referenced from nowhere.
 *
 * How: the documented hook PyObject_SetArenaAllocator(), set from a
 * constructor, before Python exists in the process (it is initialised in each
 * Apache child, much later). The arenas are made exactly as CPython's default
 * allocator makes them (anonymous private mmap), and each is registered with
 * __lsan_register_root_region() for as long as it is mapped.
 *
 * Python objects in the arenas are never reported themselves (LSan does not
 * track them); leaks of Python objects per request are t/07_leaks' job
 * (sys.getallocatedblocks, which needs pymalloc: PYTHONMALLOC=malloc is not
 * an option for this suite).
 */
#include <Python.h>
#include <sanitizer/lsan_interface.h>
#include <sys/mman.h>

static void* arena_alloc(void* ctx, size_t size)
{
    (void)ctx;
    void* p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return NULL;
    __lsan_register_root_region(p, size);
    return p;
}

static void arena_free(void* ctx, void* p, size_t size)
{
    (void)ctx;
    __lsan_unregister_root_region(p, size);
    munmap(p, size);
}

__attribute__((constructor)) static void install(void)
{
    PyObjectArenaAllocator a = {NULL, arena_alloc, arena_free};
    PyObject_SetArenaAllocator(&a);
}
