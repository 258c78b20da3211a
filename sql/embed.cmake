# Turns sql/migrations/NNNN_name.sql and sql/functions/<module>.sql into the
# C arrays the binary carries (migrate.h). Invoked by the build:
#   cmake -DSQL_DIR=<sql> -DOUT=<file.c> -P embed.cmake
# A function file's SHA-256 is computed here, so `sinau migrate` re-applies
# exactly the files whose text changed.

include(${CMAKE_CURRENT_LIST_DIR}/../cmake/embed_helpers.cmake)

# The entry of one migration: {version, "NNNN_name", text}.
function(migration_entry f out)
  get_filename_component(name ${f} NAME_WE)
  string(REGEX MATCH "^([0-9][0-9][0-9][0-9])_" m ${name})
  if(NOT m)
    message(FATAL_ERROR "migration file name must start with NNNN_: ${f}")
  endif()
  string(SUBSTRING ${name} 0 4 num)
  math(EXPR version "1${num} - 10000")
  embed_literal(${f} lit)
  set(${out} "  {${version}, \"${name}\",\n    ${lit}},\n" PARENT_SCOPE)
endfunction()

# The entry of one function file: {"<module>.sql", "<sha256>", text}.
function(function_file_entry f out)
  get_filename_component(name ${f} NAME)
  if(NOT name MATCHES "^[a-z][a-z0-9_]*\\.sql$")
    message(FATAL_ERROR "function file name must be <module>.sql: ${f}")
  endif()
  file(SHA256 ${f} sum)
  embed_literal(${f} lit)
  set(${out} "  {\"${name}\", \"${sum}\",\n    ${lit}},\n" PARENT_SCOPE)
endfunction()

# Appends to out the C array <array> of <type>, one entry (made by the
# function <entry>) per .sql file of SQL_DIR/<dir> in name order, and its
# count <array minus _defs>_count.
function(embed_sql_array dir type array entry out)
  file(GLOB files ${SQL_DIR}/${dir}/*.sql)
  list(SORT files)
  list(LENGTH files count)
  set(text "${${out}}const ${type} ${array}[] = {\n")
  foreach(f ${files})
    cmake_language(CALL ${entry} ${f} one)
    string(APPEND text "${one}")
  endforeach()
  string(REGEX REPLACE "_defs$" "_count" counter ${array})
  string(APPEND text "};\nconst int ${counter} = ${count};\n")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

set(body "/* generated from sql/ by sql/embed.cmake — do not edit */\n")
string(APPEND body "#include \"sinau/db/migrate.h\"\n\n")
embed_sql_array(migrations migration_def migration_defs migration_entry body)
string(APPEND body "\n")
embed_sql_array(functions function_file_def function_file_defs function_file_entry body)
embed_write(${OUT} "${body}")
