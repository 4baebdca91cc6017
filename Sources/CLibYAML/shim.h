// libyaml's event parser (Debian: libyaml-dev), read by KubeModel's YAML reader.
#include <yaml.h>
