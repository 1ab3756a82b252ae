#include "common/kube/packed_object.h"

#include <glog/logging.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <zstd.h>

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <vector>

namespace spark_operator::kube {

struct PackDictionary::Digested {
  ZSTD_CDict* cdict = nullptr;
  ZSTD_DDict* ddict = nullptr;
};

namespace {

// Stateless: one for every Document decoded, which would otherwise make one on the heap each.
rapidjson::CrtAllocator kBaseAllocator;

struct Header {
  uint32_t text_size;
  uint32_t packed_size;  // Compressed.
  // What the Document's objects and arrays take in its pool when the text is parsed in place: the strings stay
  // in the text, so this is all it allocates, and the Document gets exactly this much.
  uint32_t pool_bytes;
  uint16_t key_size;
};

// NaN and the infinities written as such, so that every Value round-trips; a Document parsed from JSON has none.
using Writer = rapidjson::Writer<rapidjson::StringBuffer, rapidjson::UTF8<>, rapidjson::UTF8<>, rapidjson::CrtAllocator,
                                 rapidjson::kWriteNanAndInfFlag>;
// Full precision: doubles come back to the bit (the writer writes the shortest text that does).
constexpr unsigned kParseFlags = rapidjson::kParseInsituFlag | rapidjson::kParseFullPrecisionFlag |
                                 rapidjson::kParseNanAndInfFlag | rapidjson::kParseIterativeFlag;

// Passes the value's SAX events to the writer, adding up what its Document will allocate (see Header).
class SizingWriter {
 public:
  explicit SizingWriter(Writer& writer) : writer_(writer) {}
  uint64_t pool_bytes() const { return pool_bytes_; }

  bool Null() { return writer_.Null(); }
  bool Bool(bool b) { return writer_.Bool(b); }
  bool Int(int i) { return writer_.Int(i); }
  bool Uint(unsigned i) { return writer_.Uint(i); }
  bool Int64(int64_t i) { return writer_.Int64(i); }
  bool Uint64(uint64_t i) { return writer_.Uint64(i); }
  bool Double(double d) { return writer_.Double(d); }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool copy) { return writer_.RawNumber(s, n, copy); }
  bool String(const char* s, rapidjson::SizeType n, bool copy) { return writer_.String(s, n, copy); }
  bool Key(const char* s, rapidjson::SizeType n, bool copy) { return writer_.Key(s, n, copy); }
  bool StartObject() { return writer_.StartObject(); }
  bool EndObject(rapidjson::SizeType members) {
    pool_bytes_ += RAPIDJSON_ALIGN(uint64_t{members} * sizeof(rapidjson::Value::Member));
    return writer_.EndObject(members);
  }
  bool StartArray() { return writer_.StartArray(); }
  bool EndArray(rapidjson::SizeType elements) {
    pool_bytes_ += RAPIDJSON_ALIGN(uint64_t{elements} * sizeof(rapidjson::Value));
    return writer_.EndArray(elements);
  }

 private:
  Writer& writer_;
  uint64_t pool_bytes_ = 0;
};

// What Zstandard's own level 3 gives small objects against a dictionary is within a tenth of its best, and
// packing stays a few microseconds.
constexpr int kLevel = 3;

// A context is large (one to decompress about 100 KB): the few in use at once are kept for the next user, rather
// than one per thread that ever reads a store.
template <typename Context, Context* (*kCreate)(), size_t (*kFree)(Context*)>
class Contexts {
 public:
  struct Return {
    void operator()(Context* context) const { Pool().Give(context); }
  };
  using Lease = std::unique_ptr<Context, Return>;

  static Lease Take() {
    Contexts& pool = Pool();
    {
      const std::lock_guard lock(pool.mutex_);
      if (!pool.free_.empty()) {
        Context* context = pool.free_.back();
        pool.free_.pop_back();
        return Lease(context);
      }
    }
    Context* context = kCreate();
    CHECK(context != nullptr);
    return Lease(context);
  }

 private:
  static Contexts& Pool() {
    static Contexts* pool = new Contexts();  // Never destroyed: a store may decode while the process exits.
    return *pool;
  }
  void Give(Context* context) {
    const std::lock_guard lock(mutex_);
    free_.push_back(context);
  }

  std::mutex mutex_;
  std::vector<Context*> free_;
};
using Compressors = Contexts<ZSTD_CCtx, ZSTD_createCCtx, ZSTD_freeCCtx>;
using Decompressors = Contexts<ZSTD_DCtx, ZSTD_createDCtx, ZSTD_freeDCtx>;

void CheckZstd(size_t result, std::string_view what) {
  CHECK(!ZSTD_isError(result)) << what << ": " << ZSTD_getErrorName(result);
}

// Fills `out` (`size` bytes, the text's size) with the text `packed` holds.
void Decompress(std::string_view packed, const PackDictionary* dictionary, char* out, size_t size) {
  const Decompressors::Lease context = Decompressors::Take();
  const size_t written = dictionary != nullptr
                             ? ZSTD_decompress_usingDDict(context.get(), out, size, packed.data(), packed.size(),
                                                          dictionary->digested().ddict)
                             : ZSTD_decompressDCtx(context.get(), out, size, packed.data(), packed.size());
  CheckZstd(written, "decompressing a packed object");
  CHECK(written == size) << "a packed object decompressed to " << written << " bytes, not " << size;
}

// MemoryPoolAllocator's header at the start of a buffer it is given (capacity, size, next); it wants more.
constexpr size_t kChunkHeader = 2 * sizeof(size_t) + sizeof(void*) + 8;
// Only if pool_bytes were short, which it is not.
constexpr size_t kOverflowChunk = 1024;
constexpr size_t kKeptBuffer = 64 * 1024;

size_t Aligned(size_t n) { return (n + 7) & ~size_t{7}; }

// The text, decompressed into the first part of `buffer` and parsed there in place; the Document's pool in the
// rest: two allocations in all, this and the buffer.
struct Decoded {
  Decoded(std::string_view packed, const PackDictionary* dictionary, size_t text_size, size_t pool_bytes)
      : buffer(new char[Aligned(text_size + 1) + kChunkHeader + pool_bytes]),
        pool(buffer.get() + Aligned(text_size + 1), kChunkHeader + pool_bytes, kOverflowChunk, &kBaseAllocator),
        doc(&pool, 256, &kBaseAllocator) {
    Decompress(packed, dictionary, buffer.get(), text_size);
    buffer[text_size] = '\0';
    doc.ParseInsitu<kParseFlags>(buffer.get());
    CHECK(!doc.HasParseError()) << "a packed object does not parse back: " << buffer.get();
  }
  std::unique_ptr<char[]> buffer;  // Declared first: pool and doc point into it.
  rapidjson::MemoryPoolAllocator<> pool;
  rapidjson::Document doc;
};

Header HeaderOf(const char* block) {
  Header header;
  std::memcpy(&header, block, sizeof(Header));
  return header;
}

}  // namespace

void PackedObject::Free::operator()(char* block) const { std::free(block); }

PackDictionary::PackDictionary(std::string_view content) : digested_(std::make_unique<Digested>()) {
  // Content without Zstandard's dictionary header is taken as raw content: text the objects' text may repeat.
  digested_->cdict = ZSTD_createCDict(content.data(), content.size(), kLevel);
  digested_->ddict = ZSTD_createDDict(content.data(), content.size());
  CHECK(digested_->cdict != nullptr && digested_->ddict != nullptr);
}

PackDictionary::~PackDictionary() {
  ZSTD_freeCDict(digested_->cdict);
  ZSTD_freeDDict(digested_->ddict);
}

PackedObject PackedObject::Pack(std::string_view key, const rapidjson::Value& value, const PackDictionary* dictionary) {
  // Written once per stored version, by the informer's thread: its buffers are kept, unless a large object grew
  // them.
  thread_local rapidjson::StringBuffer buffer;
  thread_local std::vector<char> compressed;
  buffer.Clear();
  Writer writer(buffer);
  SizingWriter sizing(writer);
  CHECK(value.Accept(sizing)) << "cannot write " << key;
  compressed.resize(ZSTD_compressBound(buffer.GetSize()));
  size_t packed_size = 0;
  {
    const Compressors::Lease context = Compressors::Take();
    // Nothing in the frame the store knows already: the text's size is in the header, the dictionary is the store's.
    CheckZstd(ZSTD_CCtx_reset(context.get(), ZSTD_reset_session_and_parameters), "resetting");
    CheckZstd(ZSTD_CCtx_setParameter(context.get(), ZSTD_c_contentSizeFlag, 0), "contentSizeFlag");
    CheckZstd(ZSTD_CCtx_setParameter(context.get(), ZSTD_c_dictIDFlag, 0), "dictIDFlag");
    if (dictionary != nullptr) {
      CheckZstd(ZSTD_CCtx_refCDict(context.get(), dictionary->digested().cdict), "refCDict");
    } else {
      CheckZstd(ZSTD_CCtx_setParameter(context.get(), ZSTD_c_compressionLevel, kLevel), "compressionLevel");
    }
    packed_size =
        ZSTD_compress2(context.get(), compressed.data(), compressed.size(), buffer.GetString(), buffer.GetSize());
    CheckZstd(packed_size, "compressing " + std::string(key));
  }
  Header header{};
  header.text_size = static_cast<uint32_t>(buffer.GetSize());
  header.packed_size = static_cast<uint32_t>(packed_size);
  header.pool_bytes = static_cast<uint32_t>(sizing.pool_bytes());
  header.key_size = static_cast<uint16_t>(key.size());
  CHECK(header.text_size == buffer.GetSize() && header.pool_bytes == sizing.pool_bytes() &&
        header.key_size == key.size())
      << key << " is too large to pack";
  PackedObject packed;
  packed.block_.reset(static_cast<char*>(std::malloc(sizeof(Header) + key.size() + packed_size)));
  CHECK(packed.block_ != nullptr);
  char* out = packed.block_.get();
  std::memcpy(out, &header, sizeof(Header));
  std::memcpy(out + sizeof(Header), key.data(), key.size());
  std::memcpy(out + sizeof(Header) + key.size(), compressed.data(), packed_size);
  if (buffer.GetSize() > kKeptBuffer) {
    buffer.Clear();
    buffer.ShrinkToFit();
    std::vector<char>().swap(compressed);
  }
  return packed;
}

namespace {

std::string_view PackedOf(const char* block) {
  const Header header = HeaderOf(block);
  return {block + sizeof(Header) + header.key_size, header.packed_size};
}

}  // namespace

ObjectPtr PackedRef::Decode(const PackDictionary* dictionary) const {
  if (block_ == nullptr) return nullptr;
  const Header header = HeaderOf(block_);
  const auto decoded = std::make_shared<Decoded>(PackedOf(block_), dictionary, header.text_size, header.pool_bytes);
  return ObjectPtr(decoded, &decoded->doc);
}

std::string PackedRef::Text(const PackDictionary* dictionary) const {
  if (block_ == nullptr) return {};
  std::string text(HeaderOf(block_).text_size, '\0');
  Decompress(PackedOf(block_), dictionary, text.data(), text.size());
  return text;
}

std::string_view PackedRef::key() const {
  if (block_ == nullptr) return {};
  return {block_ + sizeof(Header), HeaderOf(block_).key_size};
}

size_t PackedRef::allocated() const {
  if (block_ == nullptr) return 0;
  const Header header = HeaderOf(block_);
  return sizeof(Header) + header.key_size + header.packed_size;
}

}  // namespace spark_operator::kube
