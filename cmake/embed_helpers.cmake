# Helpers of the build's embedding scripts (sql/embed.cmake,
# server/api/routes/embed.cmake and routes.cmake, server/auth/common_passwords.cmake), which
# turn source files into C arrays the binary carries. include() it.

# The bytes of file f as a C string literal, split so no line is absurdly long.
function(embed_literal f out)
  file(READ ${f} text HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "\\\\x\\1" text "${text}")
  string(REGEX REPLACE "((\\\\x[0-9a-f][0-9a-f]){40})" "\\1\"\n    \"" text "${text}")
  set(${out} "\"${text}\"" PARENT_SCOPE)
endfunction()

# Writes body to out, touching out only when its text changed (so a rebuild
# recompiles nothing when no source file changed).
function(embed_write out body)
  file(WRITE ${out}.tmp "${body}")
  file(COPY_FILE ${out}.tmp ${out} ONLY_IF_DIFFERENT)
endfunction()
