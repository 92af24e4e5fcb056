#!/usr/bin/env bash
echo "◇ browser check: not written yet"
