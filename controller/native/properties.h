// Java's .properties format, as java.util.Properties.store(Writer, comment) writes it: what the driver reads from
// /opt/spark/conf/spark.properties.
#pragma once

#include <map>
#include <string>

namespace spark_operator::controller::native {

// One "key=value" line per entry, in key order, after the comment lines `comment` and `date` (each written with
// a leading '#'). Escapes as Properties.store does with a Writer: backslash, tab, newline, carriage return, form
// feed, '=', ':', '#', '!', and a space anywhere in a key or leading a value; other characters as they are.
std::string ToJavaProperties(const std::map<std::string, std::string>& entries, const std::string& comment,
                             const std::string& date);

// "Wed Dec 02 04:38:41 UTC 2026": java.util.Date.toString() in UTC, the date line Properties.store writes.
std::string JavaDateUtc(int64_t epoch_millis);

}  // namespace spark_operator::controller::native
