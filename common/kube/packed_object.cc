#include "common/kube/packed_object.h"

#include <glog/logging.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdlib>
#include <cstring>

namespace spark_operator::kube {
namespace {

// Stateless: one for every Document decoded, which would otherwise make one on the heap each.
rapidjson::CrtAllocator kBaseAllocator;

struct Header {
  uint32_t text_size;
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

// MemoryPoolAllocator's header at the start of a buffer it is given (capacity, size, next); it wants more.
constexpr size_t kChunkHeader = 2 * sizeof(size_t) + sizeof(void*) + 8;
// Only if pool_bytes were short, which it is not.
constexpr size_t kOverflowChunk = 1024;

constexpr size_t kKeptBuffer = 64 * 1024;

size_t Aligned(size_t n) { return (n + 7) & ~size_t{7}; }

// The text parsed in place in the first part of `buffer`, the Document's pool in the rest: two allocations in
// all, this and the buffer.
struct Decoded {
  Decoded(std::string_view text, size_t pool_bytes)
      : buffer(new char[Aligned(text.size() + 1) + kChunkHeader + pool_bytes]),
        pool(buffer.get() + Aligned(text.size() + 1), kChunkHeader + pool_bytes, kOverflowChunk, &kBaseAllocator),
        doc(&pool, 256, &kBaseAllocator) {
    std::memcpy(buffer.get(), text.data(), text.size());
    buffer[text.size()] = '\0';
    doc.ParseInsitu<kParseFlags>(buffer.get());
    CHECK(!doc.HasParseError()) << "a packed object does not parse back: " << text;
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

PackedObject PackedObject::Pack(std::string_view key, const rapidjson::Value& value) {
  // Written once per stored version, by the informer's thread: its buffer is kept, unless a large object grew it.
  thread_local rapidjson::StringBuffer buffer;
  buffer.Clear();
  Writer writer(buffer);
  SizingWriter sizing(writer);
  CHECK(value.Accept(sizing)) << "cannot write " << key;
  Header header{};
  header.text_size = static_cast<uint32_t>(buffer.GetSize());
  header.pool_bytes = static_cast<uint32_t>(sizing.pool_bytes());
  header.key_size = static_cast<uint16_t>(key.size());
  CHECK(header.text_size == buffer.GetSize() && header.pool_bytes == sizing.pool_bytes() &&
        header.key_size == key.size())
      << key << " is too large to pack";
  PackedObject packed;
  packed.block_.reset(static_cast<char*>(std::malloc(sizeof(Header) + key.size() + buffer.GetSize())));
  CHECK(packed.block_ != nullptr);
  char* out = packed.block_.get();
  std::memcpy(out, &header, sizeof(Header));
  std::memcpy(out + sizeof(Header), key.data(), key.size());
  std::memcpy(out + sizeof(Header) + key.size(), buffer.GetString(), buffer.GetSize());
  if (buffer.GetSize() > kKeptBuffer) {
    buffer.Clear();
    buffer.ShrinkToFit();
  }
  return packed;
}

ObjectPtr PackedRef::Decode() const {
  if (block_ == nullptr) return nullptr;
  const auto decoded = std::make_shared<Decoded>(text(), HeaderOf(block_).pool_bytes);
  return ObjectPtr(decoded, &decoded->doc);
}

std::string_view PackedRef::key() const {
  if (block_ == nullptr) return {};
  return {block_ + sizeof(Header), HeaderOf(block_).key_size};
}

std::string_view PackedRef::text() const {
  if (block_ == nullptr) return {};
  const Header header = HeaderOf(block_);
  return {block_ + sizeof(Header) + header.key_size, header.text_size};
}

size_t PackedRef::allocated() const {
  if (block_ == nullptr) return 0;
  const Header header = HeaderOf(block_);
  return sizeof(Header) + header.key_size + header.text_size;
}

}  // namespace spark_operator::kube
