// EnvironCache and TextMemo against a real embedded interpreter: which str
// objects are handed out again between requests and which never are.
#include "pipeline/environ_cache.h"

#include <gtest/gtest.h>

#include <string>

namespace {

using wsgi::EnvironCache;
using wsgi::PyRef;
using wsgi::TextMemo;

class PythonEnv : public ::testing::Environment {
public:
    void SetUp() override { Py_InitializeEx(0); }
    void TearDown() override { Py_FinalizeEx(); }
};
const auto* const kPython = ::testing::AddGlobalTestEnvironment(new PythonEnv);

std::string text(const PyRef& s)
{
    Py_ssize_t n = 0;
    const char* p = PyUnicode_AsUTF8AndSize(s.get(), &n);
    return p ? std::string(p, static_cast<size_t>(n)) : std::string("<error>");
}

TEST(EnvironCache, SameKeyAndValueAtAPositionGiveTheSameObjects)
{
    EnvironCache c;
    PyRef k1, v1, k2, v2;
    ASSERT_TRUE(c.entry(0, "SERVER_NAME", "example.org", &k1, &v1));
    ASSERT_TRUE(c.entry(0, "SERVER_NAME", "example.org", &k2, &v2));
    EXPECT_EQ(k1.get(), k2.get());
    EXPECT_EQ(v1.get(), v2.get());
    EXPECT_EQ(text(k1), "SERVER_NAME");
    EXPECT_EQ(text(v1), "example.org");
    c.clear();
}

TEST(EnvironCache, KeysAreInternedWhateverThePosition)
{
    EnvironCache c;
    PyRef k1, v1, k2, v2;
    ASSERT_TRUE(c.entry(3, "PATH_INFO", "/a", &k1, &v1));
    ASSERT_TRUE(c.entry(EnvironCache::kMaxSlots + 5, "PATH_INFO", "/b", &k2, &v2));
    PyRef interned = PyRef::steal(PyUnicode_InternFromString("PATH_INFO"));
    EXPECT_EQ(k1.get(), interned.get());
    EXPECT_EQ(k2.get(), interned.get());
    EXPECT_EQ(text(v2), "/b");
    c.clear();
}

TEST(EnvironCache, ChangedValueOrKeyGivesTheNewText)
{
    EnvironCache c;
    PyRef k, v1, v2, v3;
    ASSERT_TRUE(c.entry(1, "REMOTE_PORT", "40000", &k, &v1));
    ASSERT_TRUE(c.entry(1, "REMOTE_PORT", "40001", &k, &v2));
    EXPECT_EQ(text(v2), "40001");
    EXPECT_NE(v1.get(), v2.get());
    ASSERT_TRUE(c.entry(1, "HTTP_HOST", "40001", &k, &v3));  // another key at that position
    EXPECT_EQ(text(k), "HTTP_HOST");
    EXPECT_EQ(text(v3), "40001");
    c.clear();
}

TEST(EnvironCache, CredentialsAreNeverKept)
{
    EnvironCache c;
    for (const char* key : {"HTTP_COOKIE", "HTTP_AUTHORIZATION", "HTTP_PROXY_AUTHORIZATION"}) {
        PyRef k, v1, v2;
        ASSERT_TRUE(c.entry(0, key, "secret=1", &k, &v1));
        // Only the caller holds the value: the cache did not keep a reference.
        EXPECT_EQ(Py_REFCNT(v1.get()), 1) << key;
        ASSERT_TRUE(c.entry(0, key, "secret=1", &k, &v2));
        EXPECT_NE(v1.get(), v2.get()) << key;
        EXPECT_EQ(text(v2), "secret=1");
    }
    c.clear();
}

TEST(EnvironCache, Latin1BytesBecomeTheSameCodePoints)
{
    EnvironCache c;
    PyRef k, v;
    ASSERT_TRUE(c.entry(0, "QUERY_STRING", "caf\xe9", &k, &v));
    EXPECT_EQ(PyUnicode_GET_LENGTH(v.get()), 4);
    EXPECT_EQ(PyUnicode_READ_CHAR(v.get(), 3), 0xe9u);
    c.clear();
}

TEST(EnvironCache, LongKeysAreUsedButNotKept)
{
    EnvironCache c;
    std::string name = "HTTP_X_" + std::string(EnvironCache::kMaxValue, 'A');
    PyRef k1, v1, k2, v2;
    ASSERT_TRUE(c.entry(0, name.c_str(), "v", &k1, &v1));
    EXPECT_EQ(text(k1), name);
    EXPECT_EQ(text(v1), "v");
    ASSERT_TRUE(c.entry(0, name.c_str(), "v", &k2, &v2));
    EXPECT_EQ(k1.get(), k2.get());  // interned: the same object while it lives
    k2 = PyRef();
#if PY_VERSION_HEX < 0x030C0000  // interned strings are mortal before 3.12
    // A short key is held by its slot and the key map; a long one by k1 only.
    PyRef ks, vs;
    ASSERT_TRUE(c.entry(1, "HTTP_SHORT", "v", &ks, &vs));
    EXPECT_EQ(Py_REFCNT(ks.get()), 3);
    EXPECT_EQ(Py_REFCNT(k1.get()), 1);
#endif
    c.clear();
}

TEST(TextMemo, LongTextsAreNotKept)
{
    TextMemo m;
    std::string shortText(10, 'a'), longText(EnvironCache::kMaxValue + 1, 'b');
    PyRef a1 = m.get(shortText.data(), shortText.size());
    PyRef a2 = m.get(shortText.data(), shortText.size());
    EXPECT_EQ(a1.get(), a2.get());
    PyRef b1 = m.get(longText.data(), longText.size());
    EXPECT_EQ(Py_REFCNT(b1.get()), 1);
    PyRef b2 = m.get(longText.data(), longText.size());
    EXPECT_NE(b1.get(), b2.get());
    EXPECT_EQ(Py_REFCNT(a1.get()), 2);  // a1, a2: the memo let go of it
    m.clear();
}

}  // namespace
