# Where scripts of this checkout start from (sourced, not run): ROOT, the versions tools/versions.env pins, and
# SO_CACHE, the folder outside the checkout where fetched and built tools are kept ($SPARK_OPERATOR_CACHE).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=../versions.env
source "$ROOT/tools/versions.env"
SO_CACHE="${SPARK_OPERATOR_CACHE:-$HOME/.cache/spark-operator}"
# The spark-submit tools/spark/fetch.sh installs, unless $SPARK_SUBMIT names another.
SO_SPARK_SUBMIT="${SPARK_SUBMIT:-$SO_CACHE/spark-$SPARK_VERSION/bin/spark-submit}"
