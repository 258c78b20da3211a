# Turns sql/migrations/NNNN_name.sql and sql/functions/<module>.sql into the
# C arrays the binary carries (migrate.h). Invoked by the build:
#   cmake -DSQL_DIR=<sql> -DOUT=<file.c> -P embed.cmake
# A function file's SHA-256 is computed here, so `sinau migrate` re-applies
# exactly the files whose text changed.

include(${CMAKE_CURRENT_LIST_DIR}/../cmake/embed_helpers.cmake)

set(body "/* generated from sql/ by sql/embed.cmake — do not edit */\n")
string(APPEND body "#include \"sinau/db/migrate.h\"\n\nconst migration_def migration_defs[] = {\n")
file(GLOB files ${SQL_DIR}/migrations/*.sql)
list(SORT files)
set(count 0)
foreach(f ${files})
  get_filename_component(name ${f} NAME_WE)
  string(REGEX MATCH "^([0-9][0-9][0-9][0-9])_" m ${name})
  if(NOT m)
    message(FATAL_ERROR "migration file name must start with NNNN_: ${f}")
  endif()
  string(SUBSTRING ${name} 0 4 num)
  math(EXPR version "1${num} - 10000")
  embed_literal(${f} lit)
  string(APPEND body "  {${version}, \"${name}\",\n    ${lit}},\n")
  math(EXPR count "${count} + 1")
endforeach()
string(APPEND body "};\nconst int migration_count = ${count};\n\n")

string(APPEND body "const function_file_def function_file_defs[] = {\n")
file(GLOB files ${SQL_DIR}/functions/*.sql)
list(SORT files)
set(count 0)
foreach(f ${files})
  get_filename_component(name ${f} NAME)
  if(NOT name MATCHES "^[a-z][a-z0-9_]*\\.sql$")
    message(FATAL_ERROR "function file name must be <module>.sql: ${f}")
  endif()
  file(SHA256 ${f} sum)
  embed_literal(${f} lit)
  string(APPEND body "  {\"${name}\", \"${sum}\",\n    ${lit}},\n")
  math(EXPR count "${count} + 1")
endforeach()
string(APPEND body "};\nconst int function_file_count = ${count};\n")
embed_write(${OUT} "${body}")
