// The portable byte format of serialized core states (aggregate states that travel between
// processes: parallel workers today, Citus workers or a binary send/recv later): fixed-width
// little-endian fields, written and read byte by byte, so the bytes do not depend on the host's
// endianness, padding or struct layout. Readers never trust their input: every read checks the
// remaining length and throws DataException past the end.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "errors.hpp"
#include "money.hpp"

namespace ca {

class ByteWriter {
  public:
    explicit ByteWriter(std::string &out) : out_(out) {}
    void U8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
    void U32(std::uint32_t v) { Unsigned(v, 4); }
    void U64(std::uint64_t v) { Unsigned(v, 8); }
    void I64(std::int64_t v) { Unsigned(static_cast<std::uint64_t>(v), 8); }
    // IEEE 754 binary64, its bits as U64.
    void F64(double v) {
        std::uint64_t bits;
        std::memcpy(&bits, &v, sizeof bits);
        U64(bits);
    }
    // 16 bytes: the low 64 bits, then the high 64 bits (two's complement).
    void Money128(Money m) {
        U64(static_cast<std::uint64_t>(m));
        I64(static_cast<std::int64_t>(m >> 64));
    }

  private:
    void Unsigned(std::uint64_t v, int bytes) {
        for (int i = 0; i < bytes; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    }
    std::string &out_;
};

class ByteReader {
  public:
    // `what` names the state in error messages ("customer summary").
    ByteReader(const char *data, std::size_t size, const char *what)
        : data_(reinterpret_cast<const unsigned char *>(data)), size_(size), what_(what) {}
    std::uint8_t U8() { return static_cast<std::uint8_t>(Unsigned(1)); }
    std::uint32_t U32() { return static_cast<std::uint32_t>(Unsigned(4)); }
    std::uint64_t U64() { return Unsigned(8); }
    std::int64_t I64() { return static_cast<std::int64_t>(Unsigned(8)); }
    double F64() {
        const std::uint64_t bits = U64();
        double v;
        std::memcpy(&v, &bits, sizeof v);
        return v;
    }
    Money Money128() {
        const std::uint64_t low = U64();
        const std::uint64_t high = U64();
        return static_cast<Money>((static_cast<unsigned __int128>(high) << 64) | low);
    }
    // The first byte of every state: its format version.
    void Version(std::uint8_t expected) {
        const std::uint8_t v = U8();
        if (v != expected)
            throw Malformed("unknown format version " + std::to_string(v) + " (expected " +
                            std::to_string(expected) + ")");
    }
    std::size_t remaining() const { return size_ - pos_; }
    // Throws unless every byte was read: a state is exactly its fields.
    void End() const {
        if (pos_ != size_)
            throw Malformed(std::to_string(size_ - pos_) + " trailing bytes after " +
                            std::to_string(pos_));
    }
    // A DataException "malformed serialized <what>" with `detail`.
    Error Malformed(const std::string &detail) const {
        return DataException(std::string("malformed serialized ") + what_, detail + ".");
    }

  private:
    std::uint64_t Unsigned(std::size_t bytes) {
        if (bytes > size_ - pos_)
            throw Malformed("truncated: " + std::to_string(size_) + " bytes, field at byte " +
                            std::to_string(pos_) + " needs " + std::to_string(bytes));
        std::uint64_t v = 0;
        for (std::size_t i = 0; i < bytes; ++i)
            v |= static_cast<std::uint64_t>(data_[pos_ + i]) << (8 * i);
        pos_ += bytes;
        return v;
    }
    const unsigned char *data_;
    std::size_t size_;
    std::size_t pos_ = 0;
    const char *what_;
};

}  // namespace ca
