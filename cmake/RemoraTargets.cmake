# Helpers that give every target of ours the same warnings, sanitizers and include root.

set(REMORA_GENERATED_DIR ${CMAKE_BINARY_DIR}/generated)

function(remora_target_defaults target)
    target_compile_options(${target} PRIVATE -Wall -Wextra -Werror)
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
        # GCC 12 at -O2/-O3 reports std::string concatenation ("x" + std::to_string(n)) as an
        # overlapping memcpy (GCC bug 105651); the warning is wrong, not our code.
        target_compile_options(${target} PRIVATE -Wno-restrict)
    endif()
    # Assertions on invariants stay on in release builds (docs/style.md §3).
    target_compile_options(${target} PRIVATE -UNDEBUG)
    target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR} ${REMORA_GENERATED_DIR})
    if(REMORA_FUZZ)
        # Coverage for libFuzzer in every library, not only in the fuzz mains.
        target_compile_options(${target} PRIVATE -fsanitize=fuzzer-no-link,address,undefined)
        target_link_options(${target} PUBLIC -fsanitize=address,undefined)
    endif()
    if(REMORA_SANITIZE)
        list(JOIN REMORA_SANITIZE "," sanitizers)
        target_compile_options(${target} PRIVATE -fsanitize=${sanitizers} -fno-omit-frame-pointer)
        target_link_options(${target} PUBLIC -fsanitize=${sanitizers})
    endif()
endfunction()

# remora_library(name SOURCES ... DEPS ...): the module's static library, named remora_<name>.
function(remora_library name)
    cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
    add_library(remora_${name} STATIC ${ARG_SOURCES})
    remora_target_defaults(remora_${name})
    target_link_libraries(remora_${name} PUBLIC ${ARG_DEPS})
endfunction()

# remora_flatbuffers(target schema.fbs ...): generates <dir>/<name>_generated.h under
# ${REMORA_GENERATED_DIR}/<module>/ so code includes "<module>/<name>_generated.h".
function(remora_flatbuffers target module)
    set(out_dir ${REMORA_GENERATED_DIR}/${module})
    set(outputs)
    foreach(fbs ${ARGN})
        get_filename_component(stem ${fbs} NAME_WE)
        set(out ${out_dir}/${stem}_generated.h)
        add_custom_command(
            OUTPUT ${out}
            COMMAND ${CMAKE_COMMAND} -E make_directory ${out_dir}
            COMMAND flatbuffers::flatc --cpp --scoped-enums -o ${out_dir}
                    ${CMAKE_CURRENT_SOURCE_DIR}/${fbs}
            DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${fbs} flatbuffers::flatc
            COMMENT "flatc ${module}/${fbs}")
        list(APPEND outputs ${out})
    endforeach()
    add_custom_target(${target}_fbs DEPENDS ${outputs})
    add_dependencies(${target} ${target}_fbs)
    target_link_libraries(${target} PUBLIC flatbuffers::flatbuffers)
endfunction()

# remora_use_allocator(target): links the programs' malloc (REMORA_ALLOCATOR) into an
# executable. Linked as needed or not: nothing calls it by name, it replaces malloc.
function(remora_use_allocator target)
    if(REMORA_ALLOCATOR_EFFECTIVE STREQUAL "jemalloc")
        target_link_libraries(${target} PRIVATE
            "-Wl,--push-state,--no-as-needed" ${REMORA_JEMALLOC_LIBRARY} "-Wl,--pop-state")
    endif()
endfunction()

# remora_tool(name SOURCES ... DEPS ...): an installed command-line program.
function(remora_tool name)
    cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
    add_executable(${name} ${ARG_SOURCES})
    remora_target_defaults(${name})
    remora_use_allocator(${name})
    target_link_libraries(${name} PRIVATE ${ARG_DEPS})
    install(TARGETS ${name} RUNTIME DESTINATION bin)
endfunction()

# The shared folder beside the source tree, for the tests that need its data (overridable).
get_filename_component(REMORA_SHARED_DIR_DEFAULT "${PROJECT_SOURCE_DIR}/../shared" ABSOLUTE)
set(REMORA_SHARED_DIR "${REMORA_SHARED_DIR_DEFAULT}" CACHE PATH
    "the team's shared folder (traces/) read by the tests named 'shared trace: ...'")

# remora_test(name LABELS ... SOURCES ... DEPS ...): one Catch2 executable whose test cases
# are discovered into CTest with the given labels.
function(remora_test name)
    cmake_parse_arguments(ARG "" "TIMEOUT;RESOURCE_LOCK" "SOURCES;DEPS;LABELS" ${ARGN})
    add_executable(${name} ${ARG_SOURCES})
    remora_target_defaults(${name})
    target_link_libraries(${name} PRIVATE ${ARG_DEPS} Catch2::Catch2WithMain)
    # REMORA_SHARED_DIR: the team's shared folder beside the checkout (../shared, in CI too);
    # only tests named "shared trace: ..." read it, and they fail when it is absent. Unit tests
    # use the fixtures under tests/data instead.
    target_compile_definitions(${name} PRIVATE
        REMORA_BINARY_DIR="${CMAKE_BINARY_DIR}"
        REMORA_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
        REMORA_SHARED_DIR="${REMORA_SHARED_DIR}")
    if(NOT ARG_TIMEOUT)
        set(ARG_TIMEOUT 300)
    endif()
    # RESOURCE_LOCK: the executable's cases never run at the same time as other tests holding
    # the same lock (ctest -j), e.g. clusters of real processes that time each other out.
    if(ARG_RESOURCE_LOCK)
        catch_discover_tests(${name} PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT}
                             RESOURCE_LOCK ${ARG_RESOURCE_LOCK})
    else()
        catch_discover_tests(${name} PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT})
    endif()
endfunction()
