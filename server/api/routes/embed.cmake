# Turns the route declarations server/api/routes/<resource>.json into the C
# array the binary carries (api_schemas.h), from which registry.c writes the
# OpenAPI document (routes.cmake makes the route tables from the same files).
# Invoked by the build:
#   cmake -DDIR=<server/api/routes> -DOUT=<file.c> -P embed.cmake

include(${CMAKE_CURRENT_LIST_DIR}/../../../cmake/embed_helpers.cmake)

set(body "/* generated from server/api/routes/ by embed.cmake — do not edit */\n")
string(APPEND body "#include \"sinau/api/schemas.h\"\n\nconst api_schema_file api_schema_files[] = {\n")
file(GLOB files ${DIR}/*.json)
list(SORT files)
set(count 0)
foreach(f ${files})
  get_filename_component(name ${f} NAME)
  embed_literal(${f} lit)
  string(APPEND body "  {\"${name}\",\n    ${lit}},\n")
  math(EXPR count "${count} + 1")
endforeach()
string(APPEND body "};\nconst int api_schema_file_count = ${count};\n")
embed_write(${OUT} "${body}")
