# kkr_literal(CONTENT OUT): CONTENT as C++ raw string literals, for the embedding scripts
# (api/embed_openapi.cmake, persistence/embed_resources.cmake). Split in chunks because compilers
# cap a single literal's length; adjacent literals are concatenated. "" when CONTENT is empty.
function(kkr_literal content out)
  set(result "")
  string(LENGTH "${content}" len)
  set(pos 0)
  while(pos LESS len)
    string(SUBSTRING "${content}" ${pos} 8000 chunk)
    string(APPEND result "R\"kkr_embed(${chunk})kkr_embed\"\n")
    math(EXPR pos "${pos} + 8000")
  endwhile()
  if(result STREQUAL "")
    set(result "\"\"")
  endif()
  set(${out} "${result}" PARENT_SCOPE)
endfunction()
